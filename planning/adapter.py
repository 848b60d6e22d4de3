"""From the read models of a planning cycle to the optimiser's plain input.

The pure model (planning.model) knows nothing of events or databases. This thin adapter asks a
`ProblemSource` (the read models, see projections) for plain rows and builds the
PlanningProblem from them; `what_if` changes the input the way the TMB asks (a centre forced
open or closed, another budget, another allowance for a group)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from domain.calendar import as_date, working_days
from domain.groups import DEFAULT_AWAY_PERCENT
from planning.facts import FACILITY
from planning.model import (
    CLASSROOM,
    CandidateCentre,
    Group,
    Need,
    PlanningProblem,
    Session,
    TrainerPool,
    Venue,
    Weights,
)
from planning.whatif import apply, from_data


class ProblemSource(Protocol):
    """Plain rows, as the read models hold them. Dates may be ISO strings or dates."""

    def cycle(self, cycle_id: UUID) -> dict[str, Any]:
        """name, starts_on, ends_on, budget, weights, published and draft (session dicts)."""

    def endorsed_needs(self) -> list[dict[str, Any]]:
        """Every endorsed (or scheduled) need with its analysis and priority."""

    def facilities(self) -> list[dict[str, Any]]:
        """Every facility: id, name, site, capacity, rooms, features, cost_per_day,
        opened_on, decommissioned_on."""

    def rooms_taken(self, facility_id: str, first: date, last: date) -> dict[date, int]:
        """Rooms in use per day by the schedule of usage and by confirmed (published)
        sessions."""

    def centres(self) -> list[dict[str, Any]]:
        """Delivery centre proposals that are not rejected, with their status."""

    def groups(self) -> list[dict[str, Any]]:
        """Every business group: id, code, name, headcount, allowance_hours_per_head,
        capability_percent."""

    def trainer_pools(self) -> list[dict[str, Any]]:
        """Every trainer pool: id, name, discipline, trainers, courses, and its absences
        (starts_on, ends_on, trainers)."""


class ProblemError(ValueError):
    """The cycle cannot be planned as it stands (no endorsed needs, say)."""


def build_problem(
    source: ProblemSource, cycle_id: UUID, what_if: dict[str, Any] | str | None = None
) -> PlanningProblem:
    cycle = source.cycle(cycle_id)
    first, last = as_date(cycle["starts_on"]), as_date(cycle["ends_on"])
    published = [Session.from_dict(s) for s in cycle.get("published") or []]
    draft = [Session.from_dict(s) for s in cycle.get("draft") or []]
    # Re-planning: after publication every draft session is a previous one (pinned ones are
    # fixed, the others move at a penalty); before it, only the pinned ones are kept.
    previous = tuple(s for s in draft if published or s.pinned)
    own_confirmed = _room_days(published)
    venues = tuple(
        _venue(row, source.rooms_taken(str(row["id"]), first, last), own_confirmed)
        for row in source.facilities()
    )
    pools = tuple(_pool(row, first, last) for row in source.trainer_pools())
    disciplines = {code: pool.discipline for pool in pools for code in sorted(pool.courses)}
    problem = PlanningProblem(
        cycle_name=str(cycle["name"]),
        starts_on=first,
        ends_on=last,
        budget=int(cycle["budget"]),
        needs=tuple(_need(row, first, last, disciplines) for row in source.endorsed_needs()),
        venues=venues,
        centres=tuple(_centre(row) for row in source.centres() if _candidate(row)),
        groups=tuple(_group(row) for row in source.groups()),
        weights=Weights.from_cycle(cycle.get("weights") or {}),
        previous=previous,
        pools=pools,
        capital_budget=_capital_budget(cycle.get("weights") or {}),
    )
    if what_if:
        problem = apply(problem, from_data(what_if))
    if not problem.needs:
        raise ProblemError(f"cycle {problem.cycle_name} has no endorsed needs to plan")
    return problem


def _capital_budget(weights: dict[str, Any]) -> int | None:
    """The TMB's capital budget for the cycle (its weights' `capital_budget`, pounds): with
    one, centres' set-up is held to it and the budget to revenue; without, the budget holds
    both."""
    value = weights.get("capital_budget")
    return None if value is None else int(value)


def _room_days(sessions: list[Session]) -> dict[str, Counter[date]]:
    taken: dict[str, Counter[date]] = {}
    for session in sessions:
        if session.venue_kind == FACILITY:
            taken.setdefault(session.venue_id, Counter()).update(session.dates)
    return taken


def _venue(row: dict[str, Any], taken: dict[date, int], own: dict[str, Counter[date]]) -> Venue:
    venue_id = str(row["id"])
    mine = own.get(venue_id, Counter())
    # This cycle's own confirmed sessions are re-planned, so they do not take rooms here.
    rooms_taken = {
        as_date(day): count - mine.get(as_date(day), 0)
        for day, count in taken.items()
        if count - mine.get(as_date(day), 0) > 0
    }
    return Venue(
        venue_id=venue_id,
        name=str(row["name"]),
        site=str(row.get("site") or ""),
        capacity=int(row["capacity"]),
        rooms=int(row.get("rooms") or 1),
        features=frozenset(row.get("features") or ()),
        cost_per_day=round(float(row.get("cost_per_day") or 0)),
        taken=rooms_taken,
        opened_on=as_date(row["opened_on"]) if row.get("opened_on") else None,
        closed_on=as_date(row["decommissioned_on"]) if row.get("decommissioned_on") else None,
        running_cost_per_year=round(float(row.get("running_cost_per_year") or 0)),
    )


def _need(row: dict[str, Any], first: date, last: date, disciplines: dict[str, str]) -> Need:
    window_start = as_date(row.get("window_start") or first)
    window_end = as_date(row.get("window_end") or last)
    return Need(
        need_id=str(row["need_id"]),
        group_id=str(row["group_id"]),
        course_code=str(row["course_code"]),
        title=str(row.get("title") or row["course_code"]),
        learners=int(row["learners"]),
        days=float(row["days_per_learner"]),
        class_min=int(row["class_size_min"]),
        class_max=int(row["class_size_max"]),
        trainers=int(row.get("trainers_per_session") or 1),
        features=frozenset(row.get("required_features") or ()),
        level=str(row["level"]),
        score=int(row.get("score") or 0),
        mandatory=bool(row.get("mandatory_basis")) or row["level"] == "Mandated",
        window_start=max(window_start, first),
        window_end=min(window_end, last),
        mode=str(row.get("delivery_mode") or CLASSROOM),
        discipline=disciplines.get(str(row["course_code"]).upper(), ""),
        classroom_days=(
            float(row["classroom_days"]) if row.get("classroom_days") is not None else None
        ),
    )


def _pool(row: dict[str, Any], first: date, last: date) -> TrainerPool:
    """A pool with its trainers away per working day of the cycle."""
    away: Counter[date] = Counter()
    for absence in row.get("absences") or ():
        start = max(as_date(absence["starts_on"]), first)
        end = min(as_date(absence["ends_on"]), last)
        if start <= end:
            for day in working_days(start, end):
                away[day] += int(absence["trainers"])
    return TrainerPool(
        pool_id=str(row["id"]),
        name=str(row["name"]),
        discipline=str(row["discipline"]),
        trainers=int(row["trainers"]),
        courses=frozenset(str(c).upper() for c in row.get("courses") or ()),
        away=dict(away),
    )


def _candidate(row: dict[str, Any]) -> bool:
    """Approved centres are the optimiser's to open or not; a costed proposal not yet approved
    enters only when a what-if forces it open (publishing needs approval)."""
    return str(row.get("status")) in ("approved", "costed", "proposed")


def _centre(row: dict[str, Any]) -> CandidateCentre:
    approved = str(row.get("status")) == "approved"
    return CandidateCentre(
        centre_id=str(row["id"]),
        name=str(row["name"]),
        site=str(row.get("site") or ""),
        capacity=int(row["capacity"]),
        rooms=int(row.get("rooms") or 1),
        features=frozenset(row.get("features") or ()),
        setup_cost=round(float(row.get("setup_cost") or 0)),
        running_cost_per_day=round(float(row.get("running_cost_per_day") or 0)),
        earliest_opening=as_date(row["earliest_opening"]),
        forced=None if approved else False,
    )


WORKING_YEAR = 8.0 * 261  # hours: a group with no allowance set is limited only by the year


def _group(row: dict[str, Any]) -> Group:
    allowance = row.get("allowance_hours_per_head")
    away = row.get("capability_percent")  # the board's limit; 5% until it sets one
    return Group(
        group_id=str(row["id"]),
        code=str(row.get("code") or ""),
        name=str(row.get("name") or ""),
        headcount=int(row["headcount"]),
        allowance_hours_per_head=float(allowance) if allowance is not None else WORKING_YEAR,
        away_percent=float(away) if away is not None else DEFAULT_AWAY_PERCENT,
    )


__all__ = ["ProblemError", "ProblemSource", "build_problem"]
