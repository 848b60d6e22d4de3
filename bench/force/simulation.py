"""The history: the force's planning years, one after another, until it has its events.

Every event comes from the real aggregates (`domain/`): their own commands run in memory, so
every rule applies (no prioritising before analysis, no double booking on confirmation, ...),
and a publication is made by the product's `TrainingPlanner.publish_prospectus` over those
aggregates (bench.force.desk). The events are saved through `TrainingPlanner.save` in large
transactions (bench.force.writer). Every cycle (the annual L&D plan, April to March) runs the
timetable of `History.plan_cycle`; the parts say what happens in each:

* bench.force.boards: groups and needs, from identification to evaluation;
* bench.force.estate: facilities, schedules of usage and centre proposals;
* bench.force.cycles: the cycle, its optimisation runs (bench.force.allocation) and drafts;
* bench.force.prospectus: amendments, pins and publications.

Deterministic for a seed (bench.force.timeline). Exactly N events are stored: the history
stops at N (a publication that would not fit in what is left is not made)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bench.force.allocation import Allocator
from bench.force.boards import Boards
from bench.force.cycles import Cycles
from bench.force.desk import InMemoryPlanner
from bench.force.estate import Estate
from bench.force.organisation import FIRST_CYCLE
from bench.force.plans import Plans
from bench.force.prospectus import Prospectus
from bench.force.timeline import Timeline, at, simulated
from bench.force.venues import VENUES
from bench.force.writer import Full, Writer
from domain import TrainingPlanner

START = at(date(FIRST_CYCLE - 1, 9, 1), 8)


class History:
    """Drives the domain through the years until `target` events are made; saves them in
    transactions of about `batch` events."""

    def __init__(
        self,
        planner: TrainingPlanner,
        target: int,
        seed: int,
        batch: int = 5000,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.timeline = Timeline(seed, START)
        self.writer = Writer(
            planner,
            target,
            batch=batch,
            clock=self.timeline.clock,
            progress=progress or (lambda _: None),
        )
        plans: Plans = {}
        self.boards = Boards(self.timeline, self.writer, plans)
        self.estate = Estate(self.timeline, self.writer, self.boards.groups)
        self.allocator = Allocator(self.estate, seed)
        self.prospectus = Prospectus(
            self.timeline,
            self.writer,
            plans,
            self.estate,
            self.boards,
            InMemoryPlanner(self.writer),
        )
        self.cycles = Cycles(
            self.timeline, self.writer, plans, self.estate, self.allocator, self.prospectus
        )

    def run(self) -> None:
        timeline, writer = self.timeline, self.writer
        timeline.later(timeline.clock.now, self.set_up)
        timeline.later(at(date(FIRST_CYCLE - 1, 9, 1), 9), self.plan_cycle, FIRST_CYCLE)
        with simulated(timeline.clock, timeline.ids):
            try:
                while (command := timeline.next()) is not None:
                    action, args = command
                    action(*args)
                    writer.flush(when_full=True)
                    if writer.remaining <= 0:
                        break
            except Full:
                pass
            writer.flush()
        if writer.saved != writer.target:
            raise AssertionError(f"made {writer.saved} events, not {writer.target}")

    def set_up(self) -> None:
        """The organisation at the start: the groups and their chairs, the estate."""
        self.boards.register_groups()
        for spec in VENUES:
            self.estate.register_facility(spec, opened_on=date(1990, 1, 1))

    def plan_cycle(self, year: int) -> None:
        """Schedules everything that happens for cycle `year` (April `year` to March next)."""
        rng, later, jitter = self.timeline.rng, self.timeline.later, self.timeline.jitter
        boards, estate, cycles = self.boards, self.estate, self.cycles
        later(at(date(year, 9, 1), 7), self.plan_cycle, year + 1)
        later(jitter(date(year - 1, 9, 3)), cycles.open_cycle, year)
        estate.renew(year)
        estate.plan_centres(year)
        boards.plan_groups(year)
        boards.raise_needs(year)
        estate.plan_facilities(year)
        # Boards, the TMB, the runs, the prospectus.
        boards.plan_meetings(year)
        later(jitter(date(year, 2, 27)), cycles.set_weights, year)
        later(at(date(year, 3, 3), 10), boards.tmb_meeting, year, False)
        for what_if in range(rng.choice((1, 1, 2))):
            later(jitter(date(year, 3, 8 + what_if)), cycles.what_if_run, year, what_if)
        if rng.random() < 0.15:
            later(jitter(date(year, 3, 10)), cycles.interrupted_run, year)
        if rng.random() < 0.07:
            later(jitter(date(year, 3, 11)), cycles.failed_run, year)
        later(at(date(year, 3, 14), 9), cycles.main_run, year)
        # In-year needs, the re-plan and edition 2.
        boards.raise_in_year_needs(year)
        later(at(date(year, 4, 16), 10), boards.tmb_meeting, year, True)
        later(at(date(year, 4, 20), 9), cycles.replan_run, year)
        if rng.random() < 0.3:
            later(jitter(date(year, 10, 15)), cycles.change_budget, year)
        later(jitter(date(year + 1, 7, 31)), cycles.close_cycle, year)

    def summary(self) -> dict[str, Any]:
        return {
            "events": self.writer.saved,
            "first_event_at": START.isoformat(),
            "last_event_at": self.timeline.clock.now.isoformat(),
            "cycles": self.cycles.opened,
            "sessions_planned": self.allocator.sessions_made,
            "skipped_publications": self.prospectus.skipped,
            "event_types": dict(sorted(self.writer.kinds.items())),
        }
