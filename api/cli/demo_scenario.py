"""The demonstration scenario: the 2003/04 Learning & Development plan of a force the size of
the Metropolitan Police, recorded as events through the application.

Numbers come from ../shared/research-domain.md: about 33,000 officers and 14,000 staff,
Territorial Policing about 21,500 officers, officer safety training two days a year for every
officer up to Chief Inspector, classes of 12-16 for officer safety and 12-26 in classrooms,
Hendon, Gravesend, borough training rooms, the Central London Training Centre, and the
Orpington delivery-centre proposal (Recommendation 5, key action 13).

The story is recorded on its own timeline: every step takes effect on its business date in
2002/03 (`effective_on`), while the store records today's time beside it. Needs are identified
in autumn 2002 and analysed by the new year, the boards prioritise them in February 2003 and
the TMB endorses them in March; every venue's schedule of usage is submitted by 31 March 2003;
the Orpington feasibility study is costed by 30 June 2003; the optimiser runs in June and the
prospectus is published on 30 June 2003 (`trainplan audit replay --as-of DATE` shows each
stage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from api.cli.demo_trainers import record_running_costs, record_trainer_pools
from domain import TrainingPlanner
from domain.groups import BusinessGroup

CYCLE = "2003/04"
CYCLE_START, CYCLE_END = "2003-04-01", "2004-03-31"
BANK_HOLIDAYS = [
    ("2003-04-18", "Good Friday"), ("2003-04-21", "Easter Monday"),
    ("2003-05-05", "Early May bank holiday"), ("2003-05-26", "Spring bank holiday"),
    ("2003-08-25", "Summer bank holiday"), ("2003-12-25", "Christmas Day"),
    ("2003-12-26", "Boxing Day"), ("2004-01-01", "New Year's Day"),
]  # fmt: skip

LSPU = "lspu.analyst"
TMB = "tmb.chair"

# The 2002/03 timeline: the business date each step of the story takes effect.
GROUPS_REGISTERED = "2002-09-02"  # the planning round opens; the boards and their venues
ALLOWANCES_SET = "2002-09-16"
NEEDS_IDENTIFIED = ("2002-09-23", "2002-11-29")  # autumn 2002, spread over the needs
NEEDS_ANALYSED = ("2002-12-02", "2002-12-20")
CYCLE_OPENED = "2003-01-06"
NEEDS_PRIORITISED = ("2003-02-03", "2003-02-28")
NEEDS_ENDORSED = "2003-03-14"
SCHEDULES_SUBMITTED = ("2003-02-03", "2003-03-31")  # every schedule of usage by 31 March 2003
ESTATE_COSTED = "2003-03-31"  # the venues' running costs in the 2003/04 estate budget
CENTRES_PROPOSED = "2002-11-04"
SIDCUP_COSTED = "2003-05-30"
ORPINGTON_COSTED = "2003-06-27"  # the feasibility study with costings, by 30 June 2003
ORPINGTON_APPROVED = "2003-06-30"
RUN_ON = "2003-06-16"  # the TMB runs the optimiser
PUBLISHED_ON = "2003-06-30"  # the prospectus, by 30 June 2003


def spread(window: tuple[str, str], index: int, count: int) -> str:
    """The `index`-th of `count` dates spread evenly over `window` (both ends included)."""
    first, last = (date.fromisoformat(day) for day in window)
    step = (last - first).days / max(count - 1, 1)
    return (first + timedelta(days=round(index * step))).isoformat()


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    officers: int
    staff: int
    allowance_hours: float
    chair: str


GROUPS = [
    Group("TP", "Territorial Policing", 21449, 5757, 40, "AC Territorial Policing"),
    Group("SO", "Specialist Operations", 3800, 900, 48, "AC Specialist Operations"),
    Group("SC", "Specialist Crime", 4500, 2000, 45, "DAC Specialist Crime"),
    Group("CO", "Central Operations", 2200, 1500, 40, "DAC Central Operations"),
    Group("HR", "HR and support staff", 300, 4069, 24, "Director of Human Resources"),
]


@dataclass(frozen=True)
class Venue:
    name: str
    site: str
    rooms: int
    capacity: int
    features: tuple[str, ...]
    cost_per_day: float
    owner: str | None = None


BOROUGHS = ["Lambeth", "Southwark", "Hackney", "Croydon", "Westminster", "Newham", "Brent",
            "Bromley", "Ealing", "Haringey", "Tower Hamlets", "Barnet"]  # fmt: skip

VENUES = [
    Venue("Peel Centre training block", "Hendon", 12, 26, ("classroom", "projector"), 180),
    Venue("Peel Centre gymnasium", "Hendon", 4, 16, ("gym", "mats"), 250),
    Venue("Peel Centre IT suite", "Hendon", 2, 20, ("classroom", "it-suite"), 220),
    Venue("Hendon driving school", "Hendon", 3, 8, ("driving-track", "classroom"), 1200),
    Venue("Public order training arena", "Gravesend", 2, 30, ("public-order-arena",), 1500, "CO"),
    Venue("Firearms ranges", "Gravesend", 3, 12, ("range", "classroom"), 900, "SO"),
    Venue("Gravesend classrooms", "Gravesend", 4, 24, ("classroom", "projector"), 200, "CO"),
    Venue("Central London Training Centre", "Westminster", 6, 24, ("classroom", "projector"), 300),
    *[Venue(f"{b} training room", f"{b} borough", 1, 20, ("classroom",), 120, "TP")
      for b in BOROUGHS],
    *[Venue(f"{b} gym", f"{b} borough", 1, 14, ("gym", "mats"), 140, "TP") for b in BOROUGHS[:6]],
]  # fmt: skip


@dataclass(frozen=True)
class Need:
    code: str
    title: str
    groups: dict[str, int]
    days: float
    size: tuple[int, int]
    trainers: int
    features: tuple[str, ...]
    mode: str
    level: str
    score: int
    mandatory_basis: str | None = None
    trigger: str = "continuing commitment"
    window: tuple[str, str] = (CYCLE_START, CYCLE_END)


OFFICERS = {group.code: group.officers for group in GROUPS if group.code != "HR"}
NEEDS = [
    Need("GP05", "Officer safety training refresher", OFFICERS, 2, (12, 16), 2, ("gym", "mats"),
         "practical", "Mandated", 95, "Health and Safety at Work Act 1974 s.7; officer safety policy",
         "new legislation"),
    Need("OT232", "Emergency life support (first aid) refresher", OFFICERS, 1, (12, 20), 1,
         ("classroom",), "practical", "Mandated", 90, "Health and Safety (First-Aid) Regulations 1981"),
    Need("PO2", "Public order level 2 refresher", {"TP": 2000, "CO": 1200}, 2, (20, 30), 3,
         ("public-order-arena",), "practical", "Essential", 80),
    Need("FA1", "Firearms requalification", {"SO": 900}, 2, (6, 12), 2, ("range",), "practical",
         "Mandated", 92, "Authorised firearms officer policy (ACPO manual of guidance)"),
    Need("DT77", "Response driving course", {"TP": 400, "CO": 120}, 10, (6, 8), 2,
         ("driving-track",), "practical", "Essential", 70, trigger="audit finding"),
    Need("DET1", "Initial detective development", {"SC": 350}, 10, (12, 24), 2, ("classroom",),
         "classroom", "Essential", 75, trigger="new role"),
    Need("CT01", "Counter-terrorism awareness (common theme)", {"SO": 1500, "SC": 1000}, 1,
         (12, 26), 1, ("classroom", "projector"), "blended", "Desirable", 60,
         trigger="emerging performance issue"),
    Need("IT12", "Custody system (NSPIS) user training", {"TP": 600}, 1, (8, 20), 1, ("it-suite",),
         "classroom", "Desirable", 55, trigger="technology change"),
    Need("HR07", "Diversity and citizen focus for support staff", {"HR": 2000, "TP": 800}, 1,
         (12, 26), 1, ("classroom",), "classroom", "Essential", 65, trigger="policy change"),
    Need("HR15", "Leadership for support-staff managers", {"HR": 240}, 3, (10, 20), 1,
         ("classroom", "projector"), "classroom", "Optional", 40),
]  # fmt: skip


def already_there(planner: TrainingPlanner) -> bool:
    return planner.exists(BusinessGroup.create_id(GROUPS[0].code))


def build(planner: TrainingPlanner) -> dict[str, Any]:
    """Records the whole scenario; returns the ids of what it made."""
    groups: dict[str, UUID] = {}
    for group in GROUPS:
        group_id = planner.register_group(
            name=group.name,
            code=group.code,
            officers=group.officers,
            staff=group.staff,
            actor=LSPU,
            effective_on=GROUPS_REGISTERED,
        )
        planner.assign_board_chair(
            group_id, chair=group.chair, actor=TMB, effective_on=GROUPS_REGISTERED
        )
        planner.set_allowance(
            group_id,
            hours_per_head=group.allowance_hours,
            actor=group.chair,
            reason="Acceptable training time per head with regard to operational capability",
            effective_on=ALLOWANCES_SET,
        )
        groups[group.code] = group_id

    facilities = [
        _register_venue(planner, venue, groups, spread(SCHEDULES_SUBMITTED, index, len(VENUES)))
        for index, venue in enumerate(VENUES)
    ]
    centres = _propose_centres(planner)
    needs = _record_needs(planner, groups)
    record_trainer_pools(planner, groups)
    record_running_costs(planner, facilities, ESTATE_COSTED)
    cycle_id = planner.open_cycle(
        name=CYCLE,
        starts_on=CYCLE_START,
        ends_on=CYCLE_END,
        budget=9_500_000,
        actor=TMB,
        effective_on=CYCLE_OPENED,
    )
    planner.set_weights(
        cycle_id,
        weights={"Mandated": 1000, "Essential": 100, "Desirable": 10, "Optional": 1},
        reason="TMB strategic direction: legal duties first, then operational capability",
        actor=TMB,
        effective_on=CYCLE_OPENED,
    )
    return {"groups": groups, "facilities": facilities, "centres": centres, "needs": needs,
            "cycle_id": cycle_id}  # fmt: skip


def _register_venue(
    planner: TrainingPlanner, venue: Venue, groups: dict[str, UUID], submitted_on: str
) -> UUID:
    facility_id = planner.register_facility(
        name=venue.name,
        site=venue.site,
        owning_group_id=groups.get(venue.owner or ""),
        capacity=venue.capacity,
        rooms=venue.rooms,
        features=list(venue.features),
        cost_per_day=venue.cost_per_day,
        opened_on="1990-01-01",
        actor="lspu.facilities",
        effective_on=GROUPS_REGISTERED,
    )
    planner.submit_schedule(
        facility_id,
        period_start=CYCLE_START,
        period_end=CYCLE_END,
        entries=existing_usage(venue),
        actor=f"planner.{venue.site.split()[0].lower()}",
        effective_on=submitted_on,
    )
    return facility_id


def existing_usage(venue: Venue) -> list[dict[str, Any]]:
    """The venue's schedule of usage for the year: bank-holiday closures and the bookings it
    already has (recruit classes at Hendon, borough briefings, range maintenance)."""
    entries = [
        {"starts_on": day, "ends_on": day, "kind": "closure", "purpose": name}
        for day, name in BANK_HOLIDAYS
    ]
    start = date.fromisoformat(CYCLE_START)
    if venue.name == "Peel Centre training block":
        # Recruit foundation course overflow: a class of 26 in 4 rooms for 18 weeks, every
        # 10 weeks (the main recruit school has its own buildings).
        for intake in range(5):
            first = start + timedelta(weeks=10 * intake, days=6)
            entries += _around_holidays(
                first,
                first + timedelta(weeks=18) - timedelta(days=3),
                f"Recruit foundation course intake {intake + 1}",
                rooms=4,
            )
    elif venue.name == "Firearms ranges":
        for month in range(0, 12, 3):
            first = start + timedelta(days=30 * month + 14)
            entries += _around_holidays(
                first, first + timedelta(days=4), "Range maintenance", rooms=venue.rooms
            )
    elif venue.site.endswith("borough"):
        monday = start + timedelta(days=(7 - start.weekday()) % 7)
        for week in range(0, 52, 2):
            day = monday + timedelta(weeks=week)
            entries += _around_holidays(day, day, "Borough briefing and tasking", rooms=1)
    return entries


def _around_holidays(first: date, last: date, purpose: str, *, rooms: int) -> list[dict[str, Any]]:
    """A booking split so that it never lies across a bank-holiday closure."""
    holidays = {date.fromisoformat(day) for day, _ in BANK_HOLIDAYS}
    cycle_end = date.fromisoformat(CYCLE_END)
    pieces, piece_start, day = [], None, first
    while day <= min(last, cycle_end):
        if day in holidays:
            if piece_start:
                pieces.append((piece_start, day - timedelta(days=1)))
            piece_start = None
        elif piece_start is None:
            piece_start = day
        day += timedelta(days=1)
    if piece_start:
        pieces.append((piece_start, min(last, cycle_end)))
    return [
        {"starts_on": a.isoformat(), "ends_on": b.isoformat(), "kind": "booking",
         "purpose": purpose, "rooms": rooms}
        for a, b in pieces
    ]  # fmt: skip


def _propose_centres(planner: TrainingPlanner) -> dict[str, UUID]:
    orpington = planner.propose_centre(
        name="Orpington Officer Safety Training centre",
        site="Orpington Police Station",
        rooms=4,
        capacity=16,
        features=["gym", "mats"],
        setup_cost=450_000,
        running_cost_per_day=1_100,
        earliest_opening="2003-10-01",
        actor=LSPU,
        effective_on=CENTRES_PROPOSED,
    )
    planner.cost_centre(
        orpington,
        setup_cost=480_000,
        running_cost_per_day=1_150,
        actor=LSPU,
        notes="Feasibility study (key action 13): refit of the old parade hall and two offices",
        effective_on=ORPINGTON_COSTED,
    )
    planner.approve_centre(
        orpington,
        actor=TMB,
        reason="Business case for a Training Delivery Centre incorporating OST (Rec. 5)",
        effective_on=ORPINGTON_APPROVED,
    )
    sidcup = planner.propose_centre(
        name="Marlowe House training floors",
        site="Sidcup",
        rooms=6,
        capacity=24,
        features=["classroom", "projector"],
        setup_cost=300_000,
        running_cost_per_day=800,
        earliest_opening="2003-07-01",
        actor=LSPU,
        effective_on=CENTRES_PROPOSED,
    )
    planner.cost_centre(
        sidcup,
        setup_cost=320_000,
        running_cost_per_day=820,
        actor=LSPU,
        notes="Two office floors converted to six classrooms",
        effective_on=SIDCUP_COSTED,
    )
    return {"Orpington": orpington, "Sidcup": sidcup}


def _record_needs(planner: TrainingPlanner, groups: dict[str, UUID]) -> list[UUID]:
    needs = []
    count = sum(len(need.groups) for need in NEEDS) + 2  # and the two below
    index = 0
    for need in NEEDS:
        for code, learners in need.groups.items():
            need_id = planner.identify_need(
                group_id=groups[code],
                title=need.title,
                trigger=need.trigger,
                actor=f"planner.{code.lower()}",
                effective_on=spread(NEEDS_IDENTIFIED, index, count),
            )
            planner.record_analysis(
                need_id,
                actor=LSPU,
                gap_statement=f"{need.title}: current provision does not reach every learner",
                audience=f"{dict((g.code, g.name) for g in GROUPS)[code]} learners",
                learners=learners,
                course_code=need.code,
                delivery_mode=need.mode,
                days_per_learner=need.days,
                class_size_min=need.size[0],
                class_size_max=need.size[1],
                trainers_per_session=need.trainers,
                required_features=list(need.features),
                mandatory_basis=need.mandatory_basis,
                risk_if_untrained="critical" if need.mandatory_basis else "medium",
                window_start=need.window[0],
                window_end=need.window[1],
                effective_on=spread(NEEDS_ANALYSED, index, count),
            )
            chair = next(g.chair for g in GROUPS if g.code == code)
            planner.prioritise_need(
                need_id,
                level=need.level,
                score=need.score,
                actor=chair,
                reason=f"{need.level}: {need.mandatory_basis or 'operational capability'}",
                effective_on=spread(NEEDS_PRIORITISED, index, count),
            )
            planner.endorse_need(
                need_id,
                reason="Endorsed for the 2003/04 plan",
                actor=TMB,
                effective_on=NEEDS_ENDORSED,
            )
            needs.append(need_id)
            index += 1
    # The rest of the lifecycle, so the register shows every state.
    raised = planner.identify_need(
        group_id=groups["SC"],
        title="Digital evidence handling",
        trigger="technology change",
        actor="planner.sc",
        effective_on=spread(NEEDS_IDENTIFIED, count - 2, count),
    )
    rejected = planner.identify_need(
        group_id=groups["TP"],
        title="Segway patrol familiarisation",
        trigger="technology change",
        actor="planner.tp",
        effective_on=spread(NEEDS_IDENTIFIED, count - 1, count),
    )
    planner.record_analysis(
        rejected,
        actor=LSPU,
        gap_statement="Pilot boroughs asked for it",
        audience="Pilot teams",
        learners=40,
        course_code="TP99",
        delivery_mode="practical",
        days_per_learner=0.5,
        class_size_min=6,
        class_size_max=10,
        trainers_per_session=1,
        required_features=[],
        mandatory_basis=None,
        risk_if_untrained="low",
        window_start=CYCLE_START,
        window_end=CYCLE_END,
        effective_on=NEEDS_ANALYSED[1],
    )
    planner.prioritise_need(rejected, level="Optional", score=10, reason="Nice to have",
                            actor="AC Territorial Policing",
                            effective_on=NEEDS_PRIORITISED[1])  # fmt: skip
    planner.reject_need(rejected, reason="No operational case this year", actor=TMB,
                        effective_on=NEEDS_ENDORSED)  # fmt: skip
    planner.withdraw_need(raised, reason="Merged into the national programme", actor="planner.sc",
                          effective_on=NEEDS_PRIORITISED[0])  # fmt: skip
    return needs
