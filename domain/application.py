"""The application: every command the boards, planners and the TMB give. Methods take ids and
primitives, load the aggregates, act, save, and return ids or plain values.

Every command that changes an existing aggregate takes `expected_version`, the version the
caller read. If the stored aggregate has moved on, the command raises VersionConflict and saves
nothing; two writers racing from the same version meet the store's unique (id, version) rule,
and the loser gets VersionConflict too. No update is ever lost."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.persistence import InternalError as PersistenceInternalError
from eventsourcing.persistence import OperationalError as PersistenceOperationalError
from eventsourcing.utils import resolve_topic

from domain.centres import DeliveryCentreProposal, ProposalStatus
from domain.cycles import PlanningCycle
from domain.errors import DuplicateKey, InvalidValue, NotFound, TransitionRefused, VersionConflict
from domain.facilities import Facility
from domain.groups import BusinessGroup
from domain.needs import NeedStatus, TrainingNeed
from domain.store import store_env

A = TypeVar("A", bound=Aggregate)

KIND_NAMES = {
    BusinessGroup: "business group",
    TrainingNeed: "training need",
    Facility: "facility",
    DeliveryCentreProposal: "delivery centre proposal",
    PlanningCycle: "planning cycle",
}


class TrainingPlanner(Application[UUID]):
    name = "TrainingPlanner"

    @classmethod
    def open(cls, url: str, attempts: int = 5) -> TrainingPlanner:
        """The application on the store at `url`. Opening creates the store's tables if they
        are missing; on PostgreSQL two processes doing that at the same moment (several API
        workers starting together) can meet "tuple concurrently updated": the loser retries."""
        for attempt in range(attempts):
            try:
                return cls(env=store_env(url))
            except (PersistenceInternalError, PersistenceOperationalError):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    # --- loading and saving -----------------------------------------------------------------

    def load(self, kind: type[A], aggregate_id: UUID, expected_version: int | None = None) -> A:
        """The aggregate, checked to be of `kind` and at the version the caller read."""
        label = KIND_NAMES.get(kind, kind.__name__)
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(label, aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise NotFound(label, aggregate_id)
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionConflict(label, aggregate_id, expected_version, aggregate.version)
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def require(self, kind: type[Aggregate], aggregate_id: UUID) -> None:
        """Checks that an aggregate of `kind` exists, from its first event alone (a command
        that only refers to it need not replay its history)."""
        first = self.recorder.select_events(aggregate_id, limit=1)
        if not first or not issubclass(resolve_topic(first[0].topic), kind.Event):
            raise NotFound(KIND_NAMES.get(kind, kind.__name__), aggregate_id)

    def store(self, *aggregates: Aggregate) -> None:
        """Saves all pending events of `aggregates` in one atomic write. If another writer got
        there first, nothing is saved and the stale aggregate is named in a VersionConflict."""
        read_versions = {
            aggregate.id: aggregate.version - len(aggregate.pending_events)
            for aggregate in aggregates
        }
        try:
            self.save(*aggregates)
        except IntegrityError:
            for aggregate in aggregates:
                try:
                    stored: int = self.repository.get(aggregate.id).version
                except AggregateNotFoundError:
                    continue
                if stored != read_versions[aggregate.id]:
                    label = KIND_NAMES.get(type(aggregate), type(aggregate).__name__)
                    raise VersionConflict(
                        label, aggregate.id, read_versions[aggregate.id], stored
                    ) from None
            raise

    def _create(self, aggregate: A, kind: str, key: str) -> UUID:
        if self.exists(aggregate.id):
            raise DuplicateKey(kind, key)
        try:
            self.save(aggregate)
        except IntegrityError:
            raise DuplicateKey(kind, key) from None
        return aggregate.id

    def _change(
        self,
        kind: type[A],
        aggregate_id: UUID,
        expected_version: int | None,
        action: str,
        **kwargs: Any,
    ) -> int:
        aggregate = self.load(kind, aggregate_id, expected_version)
        getattr(aggregate, action)(**kwargs)
        self.store(aggregate)
        return aggregate.version

    # --- business groups --------------------------------------------------------------------

    def register_group(
        self, *, name: str, code: str, officers: int, staff: int, actor: str
    ) -> UUID:
        group = BusinessGroup.register(
            name=name, code=code, officers=officers, staff=staff, actor=actor
        )
        return self._create(group, "business group code", group.code)

    def update_headcount(
        self,
        group_id: UUID,
        *,
        officers: int,
        staff: int,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            BusinessGroup,
            group_id,
            expected_version,
            "update_headcount",
            officers=officers,
            staff=staff,
            actor=actor,
        )

    def set_allowance(
        self,
        group_id: UUID,
        *,
        hours_per_head: float,
        reason: str,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            BusinessGroup,
            group_id,
            expected_version,
            "set_allowance",
            hours_per_head=hours_per_head,
            reason=reason,
            actor=actor,
        )

    def assign_board_chair(
        self, group_id: UUID, *, chair: str, actor: str, expected_version: int | None = None
    ) -> int:
        return self._change(
            BusinessGroup,
            group_id,
            expected_version,
            "assign_board_chair",
            chair=chair,
            actor=actor,
        )

    def group_id_for_code(self, code: str) -> UUID:
        group_id = BusinessGroup.create_id(code)
        if not self.exists(group_id):
            raise NotFound("business group", code)
        return group_id

    # --- training needs ---------------------------------------------------------------------

    def identify_need(
        self, *, group_id: UUID, title: str, trigger: str, description: str = "", actor: str
    ) -> UUID:
        self.require(BusinessGroup, group_id)
        need = TrainingNeed.identify(
            group_id=group_id, title=title, trigger=trigger, description=description, actor=actor
        )
        self.save(need)
        return need.id

    def record_analysis(
        self, need_id: UUID, *, actor: str, expected_version: int | None = None, **analysis: Any
    ) -> int:
        return self._change(
            TrainingNeed, need_id, expected_version, "record_analysis", actor=actor, **analysis
        )

    def prioritise_need(
        self,
        need_id: UUID,
        *,
        level: str,
        score: int,
        reason: str,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            TrainingNeed,
            need_id,
            expected_version,
            "prioritise",
            level=level,
            score=score,
            reason=reason,
            actor=actor,
        )

    def endorse_need(
        self, need_id: UUID, *, reason: str, actor: str, expected_version: int | None = None
    ) -> int:
        return self._change(
            TrainingNeed, need_id, expected_version, "endorse", reason=reason, actor=actor
        )

    def reject_need(
        self, need_id: UUID, *, reason: str, actor: str, expected_version: int | None = None
    ) -> int:
        return self._change(
            TrainingNeed, need_id, expected_version, "reject", reason=reason, actor=actor
        )

    def withdraw_need(
        self, need_id: UUID, *, reason: str, actor: str, expected_version: int | None = None
    ) -> int:
        return self._change(
            TrainingNeed, need_id, expected_version, "withdraw", reason=reason, actor=actor
        )

    def record_delivery(
        self,
        need_id: UUID,
        *,
        attendance: int,
        actual_cost: float,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            TrainingNeed,
            need_id,
            expected_version,
            "record_delivery",
            attendance=attendance,
            actual_cost=actual_cost,
            actor=actor,
        )

    def evaluate_need(
        self,
        need_id: UUID,
        *,
        level: int,
        score: int,
        notes: str,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            TrainingNeed,
            need_id,
            expected_version,
            "evaluate",
            level=level,
            score=score,
            notes=notes,
            actor=actor,
        )

    # --- facilities -------------------------------------------------------------------------

    def register_facility(
        self,
        *,
        name: str,
        site: str,
        owning_group_id: UUID | None,
        capacity: int,
        rooms: int = 1,
        features: list[str],
        cost_per_day: float,
        opened_on: object = None,
        actor: str,
    ) -> UUID:
        if owning_group_id is not None:
            self.require(BusinessGroup, owning_group_id)
        facility = Facility.register(
            name=name,
            site=site,
            owning_group_id=owning_group_id,
            capacity=capacity,
            rooms=rooms,
            features=features,
            cost_per_day=cost_per_day,
            opened_on=opened_on,
            actor=actor,
        )
        return self._create(facility, "facility", f"{facility.name} at {facility.site}")

    def change_facility(
        self,
        facility_id: UUID,
        *,
        actor: str,
        reason: str,
        expected_version: int | None = None,
        **details: Any,
    ) -> int:
        return self._change(
            Facility,
            facility_id,
            expected_version,
            "change_details",
            reason=reason,
            actor=actor,
            **details,
        )

    def submit_schedule(
        self,
        facility_id: UUID,
        *,
        period_start: object,
        period_end: object,
        entries: list[dict[str, Any]],
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            Facility,
            facility_id,
            expected_version,
            "submit_schedule",
            period_start=period_start,
            period_end=period_end,
            entries=entries,
            actor=actor,
        )

    def decommission_facility(
        self,
        facility_id: UUID,
        *,
        on: object,
        reason: str,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            Facility,
            facility_id,
            expected_version,
            "decommission",
            on=on,
            reason=reason,
            actor=actor,
        )

    # --- delivery centre proposals ----------------------------------------------------------

    def propose_centre(self, *, actor: str, **proposal: Any) -> UUID:
        centre = DeliveryCentreProposal.propose(actor=actor, **proposal)
        self.save(centre)
        return centre.id

    def cost_centre(
        self,
        centre_id: UUID,
        *,
        setup_cost: float,
        running_cost_per_day: float,
        notes: str,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            DeliveryCentreProposal,
            centre_id,
            expected_version,
            "cost",
            setup_cost=setup_cost,
            running_cost_per_day=running_cost_per_day,
            notes=notes,
            actor=actor,
        )

    def approve_centre(
        self, centre_id: UUID, *, reason: str, actor: str, expected_version: int | None = None
    ) -> int:
        return self._change(
            DeliveryCentreProposal,
            centre_id,
            expected_version,
            "approve",
            reason=reason,
            actor=actor,
        )

    def reject_centre(
        self, centre_id: UUID, *, reason: str, actor: str, expected_version: int | None = None
    ) -> int:
        return self._change(
            DeliveryCentreProposal,
            centre_id,
            expected_version,
            "reject",
            reason=reason,
            actor=actor,
        )

    # --- planning cycles --------------------------------------------------------------------

    def open_cycle(
        self, *, name: str, starts_on: object, ends_on: object, budget: float, actor: str
    ) -> UUID:
        cycle = PlanningCycle.open(
            name=name, starts_on=starts_on, ends_on=ends_on, budget=budget, actor=actor
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
    ) -> int:
        return self._change(
            PlanningCycle,
            cycle_id,
            expected_version,
            "change_budget",
            budget=budget,
            reason=reason,
            actor=actor,
        )

    def set_weights(
        self,
        cycle_id: UUID,
        *,
        weights: dict[str, float],
        reason: str,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            PlanningCycle,
            cycle_id,
            expected_version,
            "set_weights",
            weights=weights,
            reason=reason,
            actor=actor,
        )

    def start_run(
        self, cycle_id: UUID, *, run_id: str, settings: dict[str, Any], actor: str
    ) -> int:
        return self._change(
            PlanningCycle,
            cycle_id,
            None,
            "start_run",
            run_id=run_id,
            settings=settings,
            actor=actor,
        )

    def mark_run_interrupted(self, cycle_id: UUID, *, run_id: str, reason: str, actor: str) -> int:
        return self._change(
            PlanningCycle,
            cycle_id,
            None,
            "mark_run_interrupted",
            run_id=run_id,
            reason=reason,
            actor=actor,
        )

    def record_run(
        self, cycle_id: UUID, *, actor: str, expected_version: int | None = None, **run: Any
    ) -> int:
        return self._change(
            PlanningCycle, cycle_id, expected_version, "record_run", actor=actor, **run
        )

    def draft_prospectus(
        self, cycle_id: UUID, *, run_id: str, actor: str, expected_version: int | None = None
    ) -> int:
        return self._change(
            PlanningCycle,
            cycle_id,
            expected_version,
            "draft_prospectus",
            run_id=run_id,
            actor=actor,
        )

    def amend_session(
        self,
        cycle_id: UUID,
        *,
        session_id: str,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        **changes: Any,
    ) -> int:
        return self._change(
            PlanningCycle,
            cycle_id,
            expected_version,
            "amend_session",
            session_id=session_id,
            reason=reason,
            actor=actor,
            **changes,
        )

    def pin_session(
        self,
        cycle_id: UUID,
        *,
        session_id: str,
        pinned: bool,
        reason: str,
        actor: str,
        expected_version: int | None = None,
    ) -> int:
        return self._change(
            PlanningCycle,
            cycle_id,
            expected_version,
            "pin_session",
            session_id=session_id,
            pinned=pinned,
            reason=reason,
            actor=actor,
        )

    def publish_prospectus(
        self, cycle_id: UUID, *, reason: str, actor: str, expected_version: int | None = None
    ) -> int:
        """Publishes the draft: every facility confirms its sessions (the double-booking check
        that may never fail), every need is scheduled, all in one atomic write."""
        cycle = self.load(PlanningCycle, cycle_id, expected_version)
        by_facility: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for session in cycle.published:  # an earlier edition: its confirmations are replaced
            if session["venue_kind"] == "facility":
                by_facility[session["venue_id"]] = []
        cycle.publish_prospectus(reason=reason, actor=actor)
        by_need: dict[str, tuple[list[str], int]] = defaultdict(lambda: ([], 0))
        for session in cycle.published:
            if session["venue_kind"] == "facility":
                by_facility[session["venue_id"]].append(session)
            else:
                self._check_centre_open(session)
            for need_id, places in session["needs"].items():
                if places:
                    sessions, learners = by_need[need_id]
                    by_need[need_id] = ([*sessions, session["session_id"]], learners + places)
        facilities = []
        for facility_id, confirmed in sorted(by_facility.items()):
            facility = self.load(Facility, UUID(facility_id))
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
            need.schedule(cycle_id=cycle_id, sessions=sessions, learners=learners, actor=actor)
            needs.append(need)
        self.store(cycle, *facilities, *needs)
        return cycle.version

    def _check_centre_open(self, session: dict[str, Any]) -> None:
        centre = self.load(DeliveryCentreProposal, UUID(session["venue_id"]))
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
        self, cycle_id: UUID, *, reason: str, actor: str, expected_version: int | None = None
    ) -> int:
        return self._change(
            PlanningCycle, cycle_id, expected_version, "close", reason=reason, actor=actor
        )
