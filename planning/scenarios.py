"""Seeded planning scenarios at four scales (S, M, L, XL) with Metropolitan Police figures.

`generate(size, seed)` builds a `PlanningProblem` for the 2003-04 cycle: business groups with
headcounts and allowances, prioritised needs, venues with existing usage and two candidate
delivery centres (Orpington and Marlowe House, Sidcup). Same seed, same digest.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from domain.calendar import working_days
from domain.costing import TRAINER_DAY_RATE
from planning.model import CandidateCentre, Group, Need, PlanningProblem, Venue

SIZES = ("S", "M", "L", "XL")
ROOM_DAY_RATE = 420  # pounds: a typical room-day, for sizing each scenario's budget
CYCLE_START = date(2003, 4, 1)
CYCLE_END = date(2004, 3, 31)
BANK_HOLIDAYS = (
    date(2003, 4, 18),
    date(2003, 4, 21),
    date(2003, 5, 5),
    date(2003, 5, 26),
    date(2003, 8, 25),
    date(2003, 12, 25),
    date(2003, 12, 26),
    date(2004, 1, 1),
)

# code, name, officers, staff, allowance hours per head per year
GROUPS = (
    ("TP", "Territorial Policing", 20500, 4200, 30.0),
    ("SO", "Specialist Operations", 4600, 1400, 36.0),
    ("SC", "Specialist Crime", 5200, 2100, 40.0),
    ("CO", "Central Operations", 2700, 1300, 38.0),
    ("HR", "HR and support staff", 0, 5000, 21.0),
)

# code, title, days, class_min, class_max, trainers, features, level, mandatory, share, officers?
COURSES: tuple[tuple[Any, ...], ...] = (
    ("OST", "Officer safety training", 2, 8, 16, 2, {"gym", "mats"}, "Mandated", True, 1.0, True),
    ("FA", "Emergency first aid", 1, 6, 16, 1, set(), "Mandated", True, 0.35, True),
    (
        "POL",
        "Public order level 2",
        3,
        12,
        24,
        3,
        {"public order yard"},
        "Essential",
        False,
        0.08,
        True,
    ),
    (
        "DRV",
        "Standard response driving",
        10,
        3,
        6,
        2,
        {"driving school"},
        "Essential",
        False,
        0.03,
        True,
    ),
    ("DRB", "Basic driving", 5, 3, 6, 1, {"driving school"}, "Essential", False, 0.04, True),
    (
        "DET",
        "Initial detective course",
        10,
        10,
        20,
        2,
        {"classroom"},
        "Essential",
        False,
        0.04,
        True,
    ),
    ("FIR", "Firearms requalification", 2, 6, 12, 2, {"range"}, "Mandated", True, 0.05, True),
    (
        "DIV",
        "Diversity and race equality",
        1,
        10,
        30,
        1,
        {"classroom"},
        "Desirable",
        False,
        0.2,
        None,
    ),
    (
        "IT",
        "Crime reporting information system",
        1,
        6,
        12,
        1,
        {"computers"},
        "Desirable",
        False,
        0.1,
        None,
    ),
    ("MGT", "First line management", 3, 8, 16, 1, {"classroom"}, "Optional", False, 0.03, False),
    (
        "HSW",
        "Health and safety at work",
        1,
        8,
        20,
        1,
        {"classroom"},
        "Essential",
        False,
        0.15,
        False,
    ),
)

BOROUGHS = (
    "Camden",
    "Hackney",
    "Lambeth",
    "Southwark",
    "Brent",
    "Croydon",
    "Ealing",
    "Barnet",
    "Bromley",
    "Enfield",
    "Haringey",
    "Newham",
    "Tower Hamlets",
    "Lewisham",
    "Greenwich",
    "Wandsworth",
    "Westminster",
    "Islington",
    "Hillingdon",
    "Hounslow",
    "Redbridge",
    "Havering",
    "Bexley",
    "Sutton",
    "Merton",
    "Kingston",
    "Richmond",
    "Harrow",
    "Waltham Forest",
    "Barking",
    "Hammersmith",
    "Kensington",
)

# size -> (fraction of the force, number of boroughs with rooms and gyms, groups)
SCALES = {
    "S": (0.002, 1, ("TP",)),
    "M": (0.02, 2, ("TP", "HR")),
    "L": (0.2, 10, ("TP", "SO", "HR")),
    "XL": (1.0, len(BOROUGHS), tuple(g[0] for g in GROUPS)),
}


def generate(size: str, seed: int = 0) -> PlanningProblem:
    """A repeatable scenario of `size` (S, M, L or XL, any case) from `seed`."""
    key = size.upper() if isinstance(size, str) else None
    if key not in SCALES:
        raise ValueError(f"size: must be one of {', '.join(SIZES)} (got {size!r})")
    rng = random.Random(f"{key}:{seed}")
    fraction, boroughs, codes = SCALES[key]
    groups = _groups(codes, fraction, rng)
    days = working_days(CYCLE_START, CYCLE_END)
    venues = _venues(boroughs, days, rng, key)
    needs = _needs(groups, fraction, rng, key)
    centres = _centres()
    problem = PlanningProblem(
        cycle_name=f"2003-04 scenario {key} seed {seed}",
        starts_on=CYCLE_START,
        ends_on=CYCLE_END,
        budget=0,
        needs=tuple(needs),
        venues=tuple(venues),
        centres=tuple(centres),
        groups=tuple(g for g, _officers in groups),
    )
    # A budget that binds: about 60% of what running every session at a room rate would cost.
    demand = sum(
        n.learners / n.class_max * n.session_days * (ROOM_DAY_RATE + TRAINER_DAY_RATE * n.trainers)
        for n in needs
    )
    return _with_budget(problem, max(5000, int(demand * 0.6)))


def _with_budget(problem: PlanningProblem, budget: int) -> PlanningProblem:
    return replace(problem, budget=budget)


def _groups(codes, fraction, rng):
    out = []
    for code, name, officers, staff, allowance in GROUPS:
        if code not in codes:
            continue
        o = round(officers * fraction)
        s = max(1, round(staff * fraction))
        # Territorial Policing's allowance binds: set below what its mandated courses need.
        hours = allowance * (0.8 if code == "TP" else 1.0)
        group = Group(f"g-{code.lower()}", code, name, o + s, round(hours + rng.uniform(-1, 1), 1))
        out.append((group, o))
    return out


def _needs(groups, fraction, rng, key):
    needs = []
    for group, officers in groups:
        staff = group.headcount - officers
        for code, title, days, cmin, cmax, trainers, feats, level, mandatory, share, off in COURSES:
            population = officers if off else staff if off is False else group.headcount
            learners = round(population * share)
            if learners <= 0:
                continue
            start, end = CYCLE_START, CYCLE_END
            if code in ("DET", "MGT") or rng.random() < 0.2:  # narrower windows for some
                first = rng.randint(0, 150)
                start = CYCLE_START + timedelta(days=first)
                end = start + timedelta(days=rng.randint(60, 120))
            needs.append(
                Need(
                    need_id=f"n-{group.code.lower()}-{code.lower()}",
                    group_id=group.group_id,
                    course_code=code,
                    title=f"{title} ({group.code})",
                    learners=learners,
                    days=float(days),
                    class_min=min(cmin, learners),
                    class_max=cmax,
                    trainers=trainers,
                    features=frozenset(feats),
                    level=level,
                    score=rng.randint(40, 95),
                    mandatory=mandatory,
                    window_start=start,
                    window_end=end,
                )
            )
        if key in ("L", "XL") and staff > 0 and group.code == "HR":
            needs.append(_recruit_need(fraction))
    return needs


def _recruit_need(fraction):
    learners = max(24, round(2400 * fraction))
    return Need(
        "n-recruit",
        "g-hr",
        "REC",
        "Recruit foundation (intake)",
        learners,
        5.0,
        12,
        24,
        2,
        frozenset({"classroom"}),
        "Essential",
        90,
        False,
        CYCLE_START,
        CYCLE_END,
    )


def _taken(days, rng, rooms, *, weekly=None, blocks=0, block_len=0):
    taken = {d: rooms for d in days if d in BANK_HOLIDAYS}
    for d in days:
        if weekly is not None and d.weekday() == weekly:
            taken[d] = max(taken.get(d, 0), 1)
    for _ in range(blocks):
        i = rng.randrange(len(days))
        for d in days[i : i + block_len]:
            taken[d] = min(rooms, taken.get(d, 0) + 1)
    return taken


def _venues(boroughs, days, rng, key):
    venues = []
    if key == "S":
        hendon_rooms, ranges = 1, 1
    else:
        hendon_rooms, ranges = 12, 4
    hendon_features = [
        {"classroom", "computers"},
        {"gym", "mats"},
        {"classroom"},
        {"public order yard"},
    ]
    for i in range(hendon_rooms):
        feats = hendon_features[i % len(hendon_features)]
        venues.append(
            Venue(
                f"v-hendon-{i + 1}",
                f"Hendon block {i + 1}",
                "Peel Centre, Hendon",
                20 if "gym" not in feats else 16,
                4,
                frozenset(feats),
                320,
                _taken(days, rng, 4, blocks=12, block_len=20),
            )
        )  # recruit intakes block Hendon rooms
    if key != "S":
        venues.append(
            Venue(
                "v-gravesend",
                "Gravesend public order centre",
                "Gravesend",
                24,
                3,
                frozenset({"public order yard", "gym", "mats"}),
                600,
                _taken(days, rng, 3, blocks=6, block_len=5),
            )
        )
        venues.append(
            Venue(
                "v-cltc",
                "Central London training centre",
                "CLTC",
                20,
                6,
                frozenset({"classroom", "computers"}),
                450,
                _taken(days, rng, 6, weekly=0),
            )
        )
        venues.append(
            Venue(
                "v-driving",
                "Hendon driving school",
                "Hendon",
                6,
                10,
                frozenset({"driving school"}),
                380,
                _taken(days, rng, 10),
            )
        )
    for i in range(ranges):
        venues.append(
            Venue(
                f"v-range-{i + 1}",
                f"Firearms range {i + 1}",
                "Lippitts Hill",
                12,
                2,
                frozenset({"range"}),
                520,
                _taken(days, rng, 2, blocks=4, block_len=5),
            )
        )
    for name in BOROUGHS[:boroughs]:
        slug = name.lower().replace(" ", "-")
        venues.append(
            Venue(
                f"v-{slug}-room",
                f"{name} training room",
                f"{name} BCU",
                16,
                2,
                frozenset({"classroom"}),
                150,
                _taken(days, rng, 2, weekly=rng.randrange(5)),
            )
        )
        if key == "S" or rng.random() < 0.6:
            venues.append(
                Venue(
                    f"v-{slug}-gym",
                    f"{name} gym",
                    f"{name} BCU",
                    16,
                    1,
                    frozenset({"gym", "mats"}),
                    120,
                    _taken(days, rng, 1, weekly=rng.randrange(5)),
                )
            )
    return venues


def _centres():
    return [
        CandidateCentre(
            "c-orpington",
            "Orpington officer safety training centre",
            "Orpington",
            16,
            4,
            frozenset({"gym", "mats"}),
            480_000,
            1150,
            date(2003, 10, 1),
        ),
        CandidateCentre(
            "c-sidcup",
            "Marlowe House, Sidcup",
            "Sidcup",
            20,
            3,
            frozenset({"classroom", "gym", "mats"}),
            620_000,
            1300,
            date(2003, 7, 1),
        ),
    ]
