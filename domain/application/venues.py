"""The commands on training venues: facilities and their schedules of usage, and proposed
training delivery centres."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from domain.application.base import Day, PlannerBase, check_scope, check_version
from domain.centres import DeliveryCentreProposal
from domain.facilities import Facility
from domain.groups import BusinessGroup


class VenueCommands(PlannerBase):
    """Facilities and delivery centre proposals."""

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
        opened_on: Day | None = None,
        actor: str,
        effective_on: Day | None = None,
    ) -> UUID:
        registered = ""
        if owning_group_id is not None:
            registered = self.require(BusinessGroup, owning_group_id)
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
            effective_on=effective_on,
        )
        facility.check_not_before(
            facility.effective_on, registered, "its owning group's registration"
        )
        return self._create(facility, "facility", f"{facility.name} at {facility.site}")

    def change_facility(
        self,
        facility_id: UUID,
        *,
        capacity: int | None = None,
        rooms: int | None = None,
        features: list[str] | None = None,
        cost_per_day: float | None = None,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        """Changes capacity, rooms, features or cost; what is left out (None) stays."""
        facility = self.load(Facility, facility_id, expected_version)
        facility.take_effect(effective_on)
        facility.change_details(
            capacity=capacity,
            rooms=rooms,
            features=features,
            cost_per_day=cost_per_day,
            reason=reason,
            actor=actor,
        )
        return self._stored(facility)

    def submit_schedule(
        self,
        facility_id: UUID,
        *,
        period_start: Day,
        period_end: Day,
        entries: list[dict[str, Any]],
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
        acting_for: Collection[UUID] | None = None,
    ) -> int:
        """The venue's usage for a period; planners submit only their own group's venues."""
        facility = self.load(Facility, facility_id)
        check_scope(
            acting_for,
            facility.owning_group_id,
            actor=actor,
            action="submit the schedule of a facility",
        )
        check_version(facility, expected_version)
        facility.take_effect(effective_on)
        facility.submit_schedule(
            period_start=period_start, period_end=period_end, entries=entries, actor=actor
        )
        return self._stored(facility)

    def set_facility_running_cost(
        self,
        facility_id: UUID,
        *,
        per_year: float,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        """A venue's fixed running cost a year (premises, whether used or not)."""
        facility = self.load(Facility, facility_id, expected_version)
        facility.take_effect(effective_on)
        facility.set_running_cost(per_year=per_year, reason=reason, actor=actor)
        return self._stored(facility)

    def decommission_facility(
        self,
        facility_id: UUID,
        *,
        on: Day,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        facility = self.load(Facility, facility_id, expected_version)
        facility.take_effect(effective_on)
        facility.decommission(on=on, reason=reason, actor=actor)
        return self._stored(facility)

    # --- delivery centre proposals ----------------------------------------------------------

    def propose_centre(
        self,
        *,
        name: str,
        site: str,
        rooms: int,
        capacity: int,
        features: list[str],
        setup_cost: float,
        running_cost_per_day: float,
        earliest_opening: Day,
        actor: str,
        effective_on: Day | None = None,
    ) -> UUID:
        centre = DeliveryCentreProposal.propose(
            name=name,
            site=site,
            rooms=rooms,
            capacity=capacity,
            features=features,
            setup_cost=setup_cost,
            running_cost_per_day=running_cost_per_day,
            earliest_opening=earliest_opening,
            actor=actor,
            effective_on=effective_on,
        )
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
        effective_on: Day | None = None,
    ) -> int:
        centre = self.load(DeliveryCentreProposal, centre_id, expected_version)
        centre.take_effect(effective_on)
        centre.cost(
            setup_cost=setup_cost,
            running_cost_per_day=running_cost_per_day,
            notes=notes,
            actor=actor,
        )
        return self._stored(centre)

    def approve_centre(
        self,
        centre_id: UUID,
        *,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        centre = self.load(DeliveryCentreProposal, centre_id, expected_version)
        centre.take_effect(effective_on)
        centre.approve(reason=reason, actor=actor)
        return self._stored(centre)

    def reject_centre(
        self,
        centre_id: UUID,
        *,
        reason: str,
        actor: str,
        expected_version: int | None = None,
        effective_on: Day | None = None,
    ) -> int:
        centre = self.load(DeliveryCentreProposal, centre_id, expected_version)
        centre.take_effect(effective_on)
        centre.reject(reason=reason, actor=actor)
        return self._stored(centre)
