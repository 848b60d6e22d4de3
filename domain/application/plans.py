"""The commands on the annual plan: planning cycles, optimisation runs, the draft prospectus,
its amendment and its publication (which confirms every facility's sessions and schedules every
need in one atomic write)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from domain.application.base import Day, PlannerBase
from domain.centres import DeliveryCentreProposal, ProposalStatus
from domain.cycles import PlanningCycle
from domain.errors import InvalidValue, NotFound, TransitionRefused
from domain.facilities import Facility
from domain.needs import NeedStatus, TrainingNeed


class PlanCommands(PlannerBase):
    """Planning cycles, optimisation runs and the prospectus."""

    # --- planning cycles --------------------------------------------------------------------

    def open_cycle(
        self,
        *,
        name: str,
        starts_on: Day,
        ends_on: Day,
        budget: float,
        actor: str,
        effective_on: Day | None = None,
    ) -> UUID:
        cycle = PlanningCycle.open(
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            budget=budget,
            actor=actor,
            effective_on=effective_on,
        )
        return self._create(cycle, "planning cycle", cycle.name)

    def cycle_id_for_name(self, name: str) -> UUID:
        cycle_id = PlanningCycle.create_id(name)
        if not self.exists(cycle_id):
            raise NotFound("planning cycle", name)
        return cycle_id

    def change_budget(
        self,
        cycle_id: UUID,
        *,
        budget: float,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        cycle.take_effect(effective_on)
        cycle.change_budget(budget=budget, reason=reason, actor=actor)
        return self._stored(cycle)

    def set_weights(
        self,
        cycle_id: UUID,
        *,
        weights: dict[str, float],
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        cycle.take_effect(effective_on)
        cycle.set_weights(weights=weights, reason=reason, actor=actor)
        return self._stored(cycle)

    def start_run(
        self,
        cycle_id: UUID,
        *,
        run_id: str,
        settings: dict[str, Any],
        actor: str,
        effective_on: Day | None = None,
    ) -> int:
        cycle = self.load(PlanningCycle, cycle_id)
        cycle.take_effect(effective_on)
        cycle.start_run(run_id=run_id, settings=settings, actor=actor)
        return self._stored(cycle)

    def mark_run_interrupted(
        self,
        cycle_id: UUID,
        *,
        run_id: str,
        reason: str,
        actor: str,
        effective_on: Day | None = None,
    ) -> int:
        cycle = self.load(PlanningCycle, cycle_id)
        cycle.take_effect(effective_on)
        cycle.mark_run_interrupted(run_id=run_id, reason=reason, actor=actor)
        return self._stored(cycle)

    def record_run(
        self,
        cycle_id: UUID,
        *,
        run_id: str,
        inputs_digest: str,
        settings: dict[str, Any],
        status: str,
        objective: float | None,
        bound: float | None,
        allocation: dict[str, Any],
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        """Records one optimisation run: its inputs' digest, its settings, the solver's
        status, objective and bound, and the allocation as plain data."""
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        cycle.take_effect(effective_on)
        cycle.record_run(
            run_id=run_id,
            inputs_digest=inputs_digest,
            settings=settings,
            status=status,
            objective=objective,
            bound=bound,
            allocation=allocation,
            actor=actor,
        )
        return self._stored(cycle)

    def draft_prospectus(
        self,
        cycle_id: UUID,
        *,
        run_id: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        cycle.take_effect(effective_on)
        cycle.draft_prospectus(run_id=run_id, actor=actor)
        return self._stored(cycle)

    def amend_session(
        self,
        cycle_id: UUID,
        *,
        session_id: str,
        venue_kind: str | None = None,
        venue_id: str | None = None,
        starts_on: Day | None = None,
        ends_on: Day | None = None,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        """Moves a draft session by hand: another venue or other dates (None: as it is)."""
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        cycle.take_effect(effective_on)
        cycle.amend_session(
            session_id=session_id,
            venue_kind=venue_kind,
            venue_id=venue_id,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason,
            actor=actor,
        )
        return self._stored(cycle)

    def pin_session(
        self,
        cycle_id: UUID,
        *,
        session_id: str,
        pinned: bool,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        cycle.take_effect(effective_on)
        cycle.pin_session(session_id=session_id, pinned=pinned, reason=reason, actor=actor)
        return self._stored(cycle)

    def publish_prospectus(
        self,
        cycle_id: UUID,
        *,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        """Publishes the draft: every facility confirms its sessions (the double-booking check
        that may never fail), every need is scheduled, all in one atomic write, effective on
        one date: not before the draft, nor before any of those facilities' and needs' last
        steps, nor before a centre it uses was approved."""
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        day = cycle.take_effect(effective_on)
        by_facility: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for session in cycle.published:  # an earlier edition: its confirmations are replaced
            if session["venue_kind"] == "facility":
                by_facility[session["venue_id"]] = []
        cycle.publish_prospectus(reason=reason, actor=actor)
        by_need: dict[str, tuple[list[str], int]] = defaultdict(lambda: ([], 0))
        for session in cycle.published:
            if session["venue_kind"] == "facility":
                by_facility[session["venue_id"]].append(session)
            elif session["venue_kind"] == "centre":
                self._check_centre_open(session, day)
            for need_id, places in session["needs"].items():
                if places:
                    sessions, learners = by_need[need_id]
                    by_need[need_id] = ([*sessions, session["session_id"]], learners + places)
        facilities = []
        for facility_id, confirmed in sorted(by_facility.items()):
            facility = self.load(Facility, UUID(facility_id))
            facility.take_effect(day)
            facility.confirm_sessions(cycle_id=cycle_id, sessions=confirmed, actor=actor)
            facilities.append(facility)
        needs = []
        for need_id, (sessions, learners) in sorted(by_need.items()):
            need = self.load(TrainingNeed, UUID(need_id))
            if need.status not in (NeedStatus.ENDORSED, NeedStatus.SCHEDULED):
                raise TransitionRefused(
                    f"cannot publish: need '{need.title}' is {need.status.value} since the draft "
                    "was made; re-optimise or amend the draft first"
                )
            need.take_effect(day)
            need.schedule(cycle_id=cycle_id, sessions=sessions, learners=learners, actor=actor)
            needs.append(need)
        self.store(cycle, *facilities, *needs)
        return cycle.version

    def _check_centre_open(self, session: dict[str, Any], day: str) -> None:
        centre = self.load(DeliveryCentreProposal, UUID(session["venue_id"]))
        centre.check_not_before(day, centre.effective_on, f"the {centre.name} decision")
        if centre.status is not ProposalStatus.APPROVED:
            raise TransitionRefused(
                f"cannot publish session {session['session_id']} at {centre.name}: "
                f"the centre is {centre.status.value}, not approved"
            )
        if session["starts_on"] < centre.earliest_opening:
            raise InvalidValue(
                "starts_on",
                f"session {session['session_id']} starts before {centre.name} can open "
                f"({centre.earliest_opening})",
            )

    def close_cycle(
        self,
        cycle_id: UUID,
        *,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        cycle.take_effect(effective_on)
        cycle.close(reason=reason, actor=actor)
        return self._stored(cycle)
