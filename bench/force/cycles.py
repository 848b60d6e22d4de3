"""The TMB's planning cycles and their optimisation runs.

* September: the cycle (the annual L&D plan, April to March) opens; February: the TMB sets its
  weights;
* March: optimisation runs are recorded (what-if runs, now and then an interrupted or failed
  one, and the main run, drafted); planners then amend and pin sessions and the prospectus is
  published (edition 1, see bench.force.prospectus);
* April: a re-plan run keeps the published sessions pinned and adds sessions for the in-year
  needs; edition 2 is published in May;
* now and then the budget is cut in-year; the cycle is closed in July of the next year."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from bench.force.allocation import Allocator
from bench.force.estate import Estate
from bench.force.organisation import FIRST_CYCLE, SYSTEM, TMB_CHAIR, TMB_SECRETARY
from bench.force.plans import CyclePlan, Plans
from bench.force.prospectus import Prospectus
from bench.force.timeline import Timeline, at, cycle_name
from bench.force.writer import Writer
from domain import NeedStatus, PlanningCycle, ProposalStatus
from planning.model import DEFAULT_LEVEL_WEIGHTS


class Cycles:
    def __init__(
        self,
        timeline: Timeline,
        writer: Writer,
        plans: Plans,
        estate: Estate,
        allocator: Allocator,
        prospectus: Prospectus,
    ) -> None:
        self.timeline = timeline
        self.rng = timeline.rng
        self.writer = writer
        self.plans = plans
        self.estate = estate
        self.allocator = allocator
        self.prospectus = prospectus
        self.opened: list[str] = []  # cycle names

    # --- the cycle --------------------------------------------------------------------------

    def open_cycle(self, year: int) -> None:
        self.writer.room()
        cycle = PlanningCycle.open(
            name=cycle_name(year),
            starts_on=date(year, 4, 1),
            ends_on=date(year + 1, 3, 31),
            budget=round(6_300_000 * 1.03 ** (year - FIRST_CYCLE), -3),
            actor=TMB_CHAIR,
        )
        self.writer.emit(cycle)
        self.plans[year] = CyclePlan(year, cycle, edition_two=date(year, 5, 2))
        self.opened.append(cycle.name)

    def set_weights(self, year: int) -> None:
        self.writer.room()
        cycle = self.plans[year].cycle
        cycle.set_weights(
            weights=dict(DEFAULT_LEVEL_WEIGHTS),
            actor=TMB_CHAIR,
            reason="TMB strategic direction: legal duties first, then capability",
        )
        self.writer.emit(cycle)

    def change_budget(self, year: int) -> None:
        cycle = self.plans[year].cycle
        if cycle.status.value == "closed":
            return
        self.writer.room()
        cycle.change_budget(
            budget=round(cycle.budget * 0.96, -3),
            actor=TMB_CHAIR,
            reason="In-year budget reduction agreed by the Management Board",
        )
        self.writer.emit(cycle)

    def close_cycle(self, year: int) -> None:
        plan = self.plans.get(year)
        if plan is None:
            return
        self.writer.room()
        plan.cycle.close(reason=f"{plan.cycle.name} delivered and evaluated", actor=TMB_CHAIR)
        self.writer.emit(plan.cycle)
        self.estate.tentative.pop(str(plan.cycle.id), None)
        # The cycle's needs stay for their last deliveries and evaluations (queued commands
        # hold what they need); the plan itself is no longer needed for new runs.
        for stale in [y for y in self.plans if y < year - 1]:
            del self.plans[stale]

    # --- runs -------------------------------------------------------------------------------

    def run_id(self) -> str:
        return f"{self.rng.getrandbits(48):012x}"

    @staticmethod
    def settings(what_if: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"time_limit": 60.0, "workers": 2, "seed": 0, "what_if": what_if or {}}

    def start(self, plan: CyclePlan, settings: dict[str, Any]) -> str:
        run_id = self.run_id()
        self.writer.room()
        plan.cycle.start_run(run_id=run_id, settings=settings, actor=TMB_SECRETARY)
        self.writer.emit(plan.cycle)
        return run_id

    def record(
        self,
        plan: CyclePlan,
        run_id: str,
        settings: dict[str, Any],
        allocation: dict[str, Any],
        draft: bool,
        status: str | None = None,
    ) -> None:
        cycle = plan.cycle
        digest = uuid.UUID(int=self.rng.getrandbits(128)).hex * 2
        self.writer.room()
        cycle.record_run(
            run_id=run_id,
            inputs_digest=digest,
            settings=settings,
            status=status or allocation["status"],
            objective=allocation.get("objective"),
            bound=allocation.get("bound"),
            allocation=allocation,
            actor=TMB_SECRETARY,
        )
        self.writer.emit(cycle)
        if draft:
            self.writer.room()
            cycle.draft_prospectus(run_id=run_id, actor=TMB_SECRETARY)
            self.writer.emit(cycle)
            self.estate.note_draft(cycle)

    def what_if_run(self, year: int, number: int) -> None:
        plan = self.plans[year]
        options: list[dict[str, Any]] = [
            {
                "name": "budget -10%",
                "centres": {},
                "allowances": {},
                "budget": int(plan.cycle.budget * 0.9),
            }
        ]
        for centre in self.estate.centres.values():
            if centre.status in (ProposalStatus.APPROVED, ProposalStatus.COSTED):
                opened = centre.status is not ProposalStatus.APPROVED
                options.append(
                    {
                        "name": f"{'open' if opened else 'close'} {centre.name}",
                        "centres": {centre.name: opened},
                        "allowances": {},
                        "budget": None,
                    }
                )
        what_if = options[(number + year) % len(options)]
        settings = self.settings(what_if)
        run_id = self.start(plan, settings)
        allocation = self.allocator.allocate(
            plan,
            run_id,
            budget=what_if["budget"] or plan.cycle.budget,
            not_before=plan.start,
            centres=what_if["centres"],
        )
        self.wait(allocation)
        self.record(plan, run_id, settings, allocation, draft=False)

    def wait(self, allocation: dict[str, Any]) -> None:
        """The clock moves on by the time the run says it took."""
        clock = self.timeline.clock
        clock.advance_to(clock.now + timedelta(seconds=allocation["seconds"]))

    def interrupted_run(self, year: int) -> None:
        plan = self.plans[year]
        run_id = self.start(plan, self.settings())
        self.timeline.later(
            self.timeline.clock.now + timedelta(hours=2), self.interrupt, year, run_id
        )

    def interrupt(self, year: int, run_id: str) -> None:
        self.writer.room()
        cycle = self.plans[year].cycle
        cycle.mark_run_interrupted(
            run_id=run_id, actor=SYSTEM, reason="The server stopped before the run finished"
        )
        self.writer.emit(cycle)

    def failed_run(self, year: int) -> None:
        plan = self.plans[year]
        settings = self.settings()
        run_id = self.start(plan, settings)
        self.wait({"seconds": 3})
        failure = {"sessions": [], "error": "the solver worker ran out of memory"}
        self.record(plan, run_id, settings, failure, draft=False, status="FAILED")

    def main_run(self, year: int) -> None:
        plan = self.plans[year]
        settings = self.settings()
        run_id = self.start(plan, settings)
        allocation = self.allocator.allocate(
            plan, run_id, budget=plan.cycle.budget, not_before=plan.start
        )
        self.wait(allocation)
        self.record(plan, run_id, settings, allocation, draft=bool(allocation["sessions"]))
        if not allocation["sessions"]:
            return
        later, jitter, prospectus = self.timeline.later, self.timeline.jitter, self.prospectus
        day = date(year, 3, 15)
        amendments = max(3, len(plan.cycle.draft) // 150)
        for n in range(amendments):
            later(jitter(day + timedelta(days=n % 6)), prospectus.amend, year)
        for n in range(max(2, len(plan.cycle.draft) // 250)):
            later(jitter(day + timedelta(days=n % 6)), prospectus.pin, year)
        later(at(date(year, 3, 25), 16), prospectus.publish, year, 1)

    def replan_run(self, year: int) -> None:
        """Re-planning after in-year needs: the published sessions stay (pinned), needs
        withdrawn since are taken out of them, new sessions start after edition 2."""
        plan = self.plans.get(year)
        if plan is None or not plan.cycle.published:
            return
        valid = {
            k
            for k, n in plan.needs.items()
            if n.status in (NeedStatus.ENDORSED, NeedStatus.SCHEDULED)
        }
        kept = []
        for session in plan.cycle.draft:
            needs = {k: p for k, p in session["needs"].items() if k in valid}
            if not needs:
                continue
            learners: dict[str, int] = defaultdict(int)
            for k, places in needs.items():
                learners[str(plan.needs[k].group_id)] += places
            kept.append({**session, "needs": needs, "learners": dict(learners), "pinned": True})
        settings = self.settings()
        run_id = self.start(plan, settings)
        allocation = self.allocator.allocate(
            plan, run_id, budget=plan.cycle.budget, not_before=date(year, 5, 20), kept=kept
        )
        self.wait(allocation)
        self.record(plan, run_id, settings, allocation, draft=bool(allocation["sessions"]))
        if allocation["sessions"]:
            self.timeline.later(
                self.timeline.jitter(date(year, 4, 24)), self.prospectus.amend, year
            )
            if plan.edition_two is not None:
                self.timeline.later(at(plan.edition_two, 16), self.prospectus.publish, year, 2)
