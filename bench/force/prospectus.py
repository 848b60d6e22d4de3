"""The draft prospectus between the run and its publication, and the publication itself.

Planners move unpinned sessions to other dates at the same venue and pin sessions; the TMB
publishes (edition 1 in March, edition 2 in May after the re-plan) through the product's own
`TrainingPlanner.publish_prospectus` over the aggregates in memory (bench.force.desk): the
cycle, then every facility confirming its sessions, then every need scheduled, in one write. A
publication that would not fit in the events left is not made. What follows a publication is
queued then: now and then a need withdrawn, each need's delivery after its last session."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from bench.force.allocation import length, session_days
from bench.force.boards import Boards
from bench.force.desk import InMemoryPlanner
from bench.force.estate import Estate, site_planner, span
from bench.force.organisation import REASONS_WITHDRAWN, TMB_CHAIR, TMB_SECRETARY
from bench.force.plans import Plans
from bench.force.timeline import Timeline
from bench.force.writer import Writer

MOVE_TRIES = 12
MOVE_REASONS = (
    "Trainer unavailable that week",
    "Clashes with a borough operation",
    "Moved at the venue's request",
)


class Prospectus:
    def __init__(
        self,
        timeline: Timeline,
        writer: Writer,
        plans: Plans,
        estate: Estate,
        boards: Boards,
        planner: InMemoryPlanner,
    ) -> None:
        self.timeline = timeline
        self.rng = timeline.rng
        self.writer = writer
        self.plans = plans
        self.estate = estate
        self.boards = boards
        self.planner = planner
        self.skipped = 0  # publications that did not fit in the events left

    def amend(self, year: int) -> None:
        """A planner moves an unpinned session to other dates at the same venue."""
        plan = self.plans[year]
        cycle = plan.cycle
        movable = [
            s
            for s in cycle.draft
            if not s["pinned"]
            and s["venue_kind"] == "facility"
            and s["venue_id"] in self.estate.facilities
        ]
        if not movable:
            return
        session = movable[self.rng.randrange(len(movable))]
        first, last = span(session)[0], span(session)[-1]
        days = length(session)
        facility = self.estate.facilities[session["venue_id"]]
        lo = plan.start.toordinal()
        hi = plan.end.toordinal()
        taken = self.estate.load(session["venue_id"], lo, hi)
        for day in range(first, last + 1):
            taken[day] -= 1
        needs = [plan.info[k] for k in session["needs"] if k in plan.info]
        w_lo = max([date.fromisoformat(i.window[0]).toordinal() for i in needs] + [lo])
        w_hi = min([date.fromisoformat(i.window[1]).toordinal() for i in needs] + [hi])
        if cycle.published:
            w_lo = max(w_lo, date(year, 5, 20).toordinal())
        for _ in range(MOVE_TRIES):
            dates = session_days(self.rng.randint(w_lo, max(w_lo, w_hi - days - 4)), days)
            if dates[-1] <= w_hi and all(
                taken[d] < facility.rooms for d in range(dates[0], dates[-1] + 1)
            ):
                break
        else:
            return
        if dates[0] == first:
            return
        self.writer.room()
        cycle.amend_session(
            session_id=session["session_id"],
            starts_on=date.fromordinal(dates[0]),
            ends_on=date.fromordinal(dates[-1]),
            actor=site_planner(facility),
            reason=self.rng.choice(MOVE_REASONS),
        )
        self.writer.emit(cycle)
        self.estate.note_draft(cycle)

    def pin(self, year: int) -> None:
        cycle = self.plans[year].cycle
        if not cycle.draft:
            return
        session = cycle.draft[self.rng.randrange(len(cycle.draft))]
        self.writer.room()
        cycle.pin_session(
            session_id=session["session_id"],
            pinned=not session["pinned"],
            reason="Trainers and venue agreed with the course provider",
            actor=TMB_SECRETARY,
        )
        self.writer.emit(cycle)

    def publish(self, year: int, edition: int) -> None:
        plan = self.plans[year]
        cycle = plan.cycle
        if not cycle.draft:
            return
        facilities_touched = {
            s["venue_id"] for s in cycle.published + cycle.draft if s["venue_kind"] == "facility"
        }
        needs_touched = {k for s in cycle.draft for k, p in s["needs"].items() if p}
        if not self.writer.room(1 + len(facilities_touched) + len(needs_touched)):
            self.skipped += 1
            return
        held = [
            cycle,
            *self.estate.facilities.values(),
            *self.estate.centres.values(),
            *plan.needs.values(),
        ]
        with self.planner.holding(held) as planner:
            planner.publish_prospectus(
                cycle.id, reason=f"Prospectus for {cycle.name}, edition {edition}", actor=TMB_CHAIR
            )
        by_centre: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for session in cycle.published:
            if session["venue_kind"] != "facility":
                by_centre[session["venue_id"]].append(session)
        for centre_id in self.estate.centres:
            kept = [
                s for s in self.estate.centre_sessions[centre_id] if s["cycle_id"] != str(cycle.id)
            ]
            self.estate.centre_sessions[centre_id] = kept + [
                {**s, "cycle_id": str(cycle.id), "rooms": 1} for s in by_centre[centre_id]
            ]
        self.estate.note_draft(cycle)
        self.follow(year, edition)

    def follow(self, year: int, edition: int) -> None:
        """What follows a publication: now and then a need withdrawn, and each need's delivery
        after its last session."""
        plan = self.plans[year]
        rng, later, jitter = self.rng, self.timeline.later, self.timeline.jitter
        last_day: dict[str, str] = {}
        for session in plan.cycle.published:
            for need_id in session["needs"]:
                last_day[need_id] = max(last_day.get(need_id, ""), session["ends_on"])
        scheduled = sorted(
            {k for s in plan.cycle.published for k, places in s["needs"].items() if places}
        )
        final = edition == 2
        after = (plan.edition_two or date(year, 3, 26)) + timedelta(days=1)
        for key in scheduled:
            need = plan.needs[key]
            ends = date.fromisoformat(last_day[key])
            deliver_on = max(ends + timedelta(days=rng.randint(2, 30)), after)
            if rng.random() < 0.015:
                if final:
                    day = self.timeline.some_day(after, max(after, deliver_on - timedelta(days=1)))
                else:
                    day = self.timeline.some_day(date(year, 3, 26), date(year, 4, 14))
                later(jitter(day), self.boards.withdraw, year, key, rng.choice(REASONS_WITHDRAWN))
            if rng.random() < 0.92:
                later(jitter(deliver_on), self.boards.deliver, year, key, need.version)
