"""The demo's trainer pools: who delivers the 2003/04 courses, and when they are away.

Figures are estimates in the spirit of ../shared/research-domain.md: officer safety classes of
12-16 take two trainers (about 4,400 course-days a year across the force at 14 a class, some
18 sessions a working day when every officer is trained), first aid one; a trainer costs
about GBP 230 a day employed and is away some 25 days' leave and 8 days' sickness a year
(Recommendation 5: trainers during sickness and leave). Leave is recorded as the blocks a
training school plans around (Easter, summer, Christmas), sickness as the winter peak.

Also the venues' fixed running costs a year (premises, rates, maintenance; estimates), so that
a what-if closing a venue (`trainplan optimise 2003/04 --what-if close=NAME`, rationalisation,
Recommendation 5) shows what it saves."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain import Facility, TrainingPlanner

LSPU = "lspu.analyst"


@dataclass(frozen=True)
class Pool:
    name: str
    discipline: str
    trainers: int
    courses: tuple[str, ...]
    base: str
    owner: str | None = None


POOLS = [
    Pool("Officer safety trainers, Peel Centre", "officer safety", 22, ("GP05",), "Hendon"),
    Pool("Officer safety trainers, borough teams", "officer safety", 10, ("GP05",),
         "Boroughs", "TP"),
    Pool("First aid trainers", "first aid", 8, ("OT232",), "Hendon"),
    Pool("Public order instructors", "public order", 9, ("PO2",), "Gravesend", "CO"),
    Pool("Firearms instructors", "firearms", 10, ("FA1",), "Gravesend", "SO"),
    Pool("Driving school instructors", "driving", 12, ("DT77",), "Hendon"),
    Pool("Crime academy trainers", "detective", 5, ("DET1",), "Hendon", "SC"),
    Pool("Counter-terrorism awareness trainers", "counter-terrorism", 3, ("CT01",),
         "Westminster", "SO"),
    Pool("IT trainers", "information technology", 3, ("IT12",), "Hendon"),
    Pool("Personal development trainers", "personal development", 6, ("HR07", "HR15"),
         "Hendon", "HR"),
]  # fmt: skip

# (first day, last day, share of the pool away, kind, why)
POOLS_REGISTERED = "2002-10-01"  # LSPU lists the trainer pools in the planning round
LEAVE_PLANNED = "2003-03-31"  # the trainers' planned leave for 2003/04 and expected sickness
ABSENCES = [
    ("2003-04-14", "2003-04-25", 0.25, "leave", "Easter leave"),
    ("2003-07-28", "2003-08-29", 0.3, "leave", "Summer leave"),
    ("2003-10-27", "2003-10-31", 0.2, "leave", "Half-term leave"),
    ("2003-12-22", "2004-01-02", 0.5, "leave", "Christmas leave"),
    ("2004-01-12", "2004-02-13", 0.1, "sickness", "Winter sickness (expected from last year)"),
    ("2003-09-01", "2003-09-05", 0.1, "training", "Trainers' own refresher week"),
]


# pounds a year, by venue name (borough rooms and gyms by the end of their name)
RUNNING_COSTS = {
    "Peel Centre training block": 420_000,
    "Peel Centre gymnasium": 160_000,
    "Peel Centre IT suite": 90_000,
    "Hendon driving school": 350_000,
    "Public order training arena": 600_000,
    "Firearms ranges": 450_000,
    "Gravesend classrooms": 150_000,
    "Central London Training Centre": 900_000,  # serviced offices, leased
}
BOROUGH_ROOM, BOROUGH_GYM = 18_000, 25_000


def record_running_costs(
    planner: TrainingPlanner, facilities: list[UUID], effective_on: str | None = None
) -> None:
    """Each demo venue's fixed running cost a year, taking effect on `effective_on`."""
    for facility_id in facilities:
        name = planner.load(Facility, facility_id).name
        cost = RUNNING_COSTS.get(name) or (BOROUGH_GYM if name.endswith(" gym") else BOROUGH_ROOM)
        planner.set_facility_running_cost(
            facility_id,
            per_year=cost,
            reason="Premises, rates and maintenance: 2003/04 estate budget",
            actor=LSPU,
            effective_on=effective_on,
        )


def record_trainer_pools(planner: TrainingPlanner, groups: dict[str, UUID]) -> dict[str, UUID]:
    """Registers the pools and their planned leave and expected sickness; their ids by name."""
    pools = {}
    for pool in POOLS:
        pool_id = planner.register_trainer_pool(
            name=pool.name,
            discipline=pool.discipline,
            trainers=pool.trainers,
            courses=list(pool.courses),
            base=pool.base,
            owning_group_id=groups.get(pool.owner or ""),
            actor=LSPU,
            effective_on=POOLS_REGISTERED,
        )
        for first, last, share, kind, why in ABSENCES:
            away = round(pool.trainers * share)
            if away:
                planner.record_trainer_absence(pool_id, starts_on=first, ends_on=last,
                                               trainers=away, kind=kind, reason=why,
                                               actor=LSPU, effective_on=LEAVE_PLANNED)  # fmt: skip
        pools[pool.name] = pool_id
    return pools
