"""The planning model's business rules, one module each, over one variable container.

`PlanVars` holds the CP-SAT model and its named variables on top of the problem's facts
(planning.facts); each rule module has an `add(v: PlanVars)` that adds its constraints to the
model it is given and returns its objective terms (a dict of named linear expressions, possibly
empty). planning.solver applies them in order and runs the model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from planning.facts import CourseKey, PlanFacts, SiteKey
from planning.model import Need

CountKey = tuple[CourseKey, SiteKey, date]  # course, site, start day


@dataclass
class PlanVars(PlanFacts):
    """The CP-SAT model and its named variables.

    n[(course key, site key, start)]  sessions of the course starting that day at that site
    y[(need id, start)]               learners of the need trained by sessions starting that day
    opened[centre id]                 the candidate centre opens
    kept[previous session id]         an unpinned published session stays where it was
    """

    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    n: dict[CountKey, cp_model.IntVar] = field(default_factory=dict)
    n_ub: dict[CountKey, int] = field(default_factory=dict)
    y: dict[tuple[str, date], cp_model.IntVar] = field(default_factory=dict)
    opened: dict[str, cp_model.IntVar] = field(default_factory=dict)
    kept: dict[str, cp_model.IntVar] = field(default_factory=dict)
    guards: dict[str, cp_model.IntVar] = field(default_factory=dict)  # rule -> enforcement literal
    by_course_start: dict[tuple[CourseKey, date], list[tuple[SiteKey, cp_model.IntVar]]] = field(
        default_factory=dict
    )
    y_by_need: dict[str, list[cp_model.IntVar]] = field(default_factory=dict)
    y_by_course_start: dict[tuple[CourseKey, date], list[cp_model.IntVar]] = field(
        default_factory=dict
    )

    def guard_rules(self, names: Iterable[str]) -> None:
        """One enforcement literal per named rule, for diagnosis (see planning.reasons)."""
        for name in names:
            self.guards[name] = self.model.new_bool_var(f"guard[{name}]")

    def trained(self, need: Need) -> Any:
        """Learners of the need trained by the plan (pinned ones included)."""
        return sum(self.y_by_need.get(need.need_id, [])) + self.pinned_met.get(need.need_id, 0)

    def guard(self, name: str) -> cp_model.IntVar | None:
        """The enforcement literal of a rule (for diagnosis), or None when always enforced."""
        return self.guards.get(name)

    def index(self) -> None:
        """Build the lookup tables the rules use once the variables exist."""
        by_course_start: dict[tuple[CourseKey, date], list] = defaultdict(list)
        for (ck, sk, s), var in self.n.items():
            by_course_start[(ck, s)].append((sk, var))
        y_by_need: dict[str, list] = defaultdict(list)
        y_by_course_start: dict[tuple[CourseKey, date], list] = defaultdict(list)
        for (nid, s), var in self.y.items():
            y_by_need[nid].append(var)
            y_by_course_start[(self.course_of(nid).key, s)].append(var)
        self.by_course_start = by_course_start
        self.y_by_need = y_by_need
        self.y_by_course_start = y_by_course_start
