"""From the read models of a planning cycle to the optimiser's plain input.

The pure model (planning.model) knows nothing of events or databases. This thin adapter asks a
`ProblemSource` (the read models, see projections) for plain rows and builds the
PlanningProblem from them; `what_if` changes the input the way the TMB asks (a centre forced
open or closed, another budget, another allowance for a group)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol
from uuid import UUID


class ProblemSource(Protocol):
    """Plain rows, as the read models hold them."""

    def cycle(self, cycle_id: UUID) -> dict[str, Any]:
        """name, starts_on, ends_on, budget, weights, published (list of session dicts)."""

    def endorsed_needs(self) -> list[dict[str, Any]]:
        """Every endorsed (or scheduled) need with its analysis and priority."""

    def facilities(self) -> list[dict[str, Any]]:
        """Every facility in service: id, name, site, capacity, rooms, features, cost_per_day,
        opened_on, decommissioned_on."""

    def rooms_taken(self, facility_id: str, first: date, last: date) -> dict[date, int]:
        """Rooms in use per day by the schedule of usage and by confirmed sessions of *other*
        cycles."""

    def centres(self) -> list[dict[str, Any]]:
        """Delivery centre proposals that are not rejected."""

    def groups(self) -> list[dict[str, Any]]:
        """Every business group: id, headcount, allowance_hours_per_head."""


def working_days(first: date, last: date) -> list[date]:
    return [
        first + timedelta(days=offset)
        for offset in range((last - first).days + 1)
        if (first + timedelta(days=offset)).weekday() < 5
    ]
