"""What the history knows of each cycle while it runs: the cycle itself, and every need raised
for it with the unit, the course and the learners behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bench.force.courses import Course
from bench.force.organisation import Unit
from domain import PlanningCycle, TrainingNeed


@dataclass
class NeedInfo:
    unit: Unit
    course: Course
    learners: int
    in_year: bool = False
    window: tuple[str, str] = ("", "")


@dataclass
class CyclePlan:
    year: int
    cycle: PlanningCycle
    needs: dict[str, TrainingNeed] = field(default_factory=dict)
    info: dict[str, NeedInfo] = field(default_factory=dict)
    edition_two: date | None = None

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 3, 31)


Plans = dict[int, CyclePlan]  # by the cycle's first year


def analysis(need: TrainingNeed) -> dict[str, Any]:
    """The need's analysis: every need past analysis has one."""
    if need.analysis is None:
        raise AssertionError(f"need {need.id} has no analysis")
    return need.analysis
