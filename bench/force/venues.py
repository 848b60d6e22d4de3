"""The estate: about 80 facilities (Hendon, Gravesend, Lippitts Hill, the Central London Training
Centre, specialist sites and the boroughs' rooms and gyms), the candidate delivery centres
(Orpington first) with the cycle each is proposed for, what else the venues are booked for, and
England's bank holidays, on which every venue is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bench.force.organisation import BOROUGHS


@dataclass(frozen=True)
class VenueSpec:
    name: str
    site: str
    rooms: int
    capacity: int
    features: tuple[str, ...]
    cost_per_day: float
    owner: str | None = None
    bookings: str = "generic"  # what else the venue is used for: its schedule of usage


# fmt: off
VENUES = (
    VenueSpec("Peel Centre training block", "Hendon", 12, 26, ("classroom", "projector"), 180,
              bookings="recruits"),
    VenueSpec("Peel Centre gymnasium", "Hendon", 4, 16, ("gym", "mats"), 250),
    VenueSpec("Peel Centre IT suite", "Hendon", 2, 20, ("classroom", "it-suite"), 220),
    VenueSpec("Peel Centre lecture theatres", "Hendon", 3, 80,
              ("classroom", "lecture-theatre", "projector"), 400),
    VenueSpec("Hendon custody training suite", "Hendon", 2, 16, ("classroom", "custody-suite"),
              300),
    VenueSpec("Hendon driving school", "Hendon", 3, 8, ("classroom", "driving-track"), 1200),
    VenueSpec("Hendon skid pan and track", "Hendon", 2, 8, ("driving-track",), 1100),
    VenueSpec("Public order training arena", "Gravesend", 2, 30, ("public-order-arena",), 1500,
              "CO", "range"),
    VenueSpec("Firearms ranges", "Gravesend", 3, 12, ("classroom", "range"), 900, "SO", "range"),
    VenueSpec("Gravesend classrooms", "Gravesend", 4, 24, ("classroom", "projector"), 200, "CO"),
    VenueSpec("Lippitts Hill ranges", "Lippitts Hill", 2, 12, ("classroom", "range"), 850, "SO",
              "range"),
    VenueSpec("Air support unit classroom", "Lippitts Hill", 1, 8, ("classroom", "it-suite"),
              300, "CO"),
    VenueSpec("Central London Training Centre", "Westminster", 6, 24, ("classroom", "projector"),
              300),
    VenueSpec("Imber Court riding school", "East Molesey", 2, 8, ("stables",), 600, "CO"),
    VenueSpec("Keston dog training establishment", "Keston", 2, 8, ("dog-kennels",), 400, "CO"),
    VenueSpec("Marine policing training base", "Wapping", 1, 8, ("water",), 700, "CO"),
    VenueSpec("Communications training room", "Lambeth", 3, 16, ("it-suite",), 250, "CO"),
    VenueSpec("Empress State Building training floor", "Earls Court", 4, 20,
              ("classroom", "it-suite", "projector"), 280, "HR"),
    VenueSpec("Cobalt Square training suite", "Vauxhall", 2, 16, ("classroom", "it-suite"), 240,
              "SC"),
    *[VenueSpec(f"{b} training room", f"{b} borough", 1, 20, ("classroom", "projector"), 120,
                "TP", "borough") for b in BOROUGHS],
    *[VenueSpec(f"{b} gym", f"{b} borough", 1, 14, ("gym", "mats"), 140, "TP")
      for b in BOROUGHS[::2]],
    *[VenueSpec(f"{b} IT room", f"{b} borough", 1, 12, ("classroom", "it-suite"), 110, "TP")
      for b in BOROUGHS[1::2]],
)
# fmt: on

# fmt: off
CENTRES = (  # (first cycle it is proposed for, proposal, approved?)
    (2003, dict(name="Orpington Officer Safety Training centre", site="Orpington Police Station",
                rooms=4, capacity=16, features=["gym", "mats"], setup_cost=450_000,
                running_cost_per_day=1_100), True),
    (2003, dict(name="Marlowe House training floors", site="Sidcup", rooms=6, capacity=24,
                features=["classroom", "projector"], setup_cost=300_000,
                running_cost_per_day=800), False),
    (2007, dict(name="Hendon public order village", site="Hendon", rooms=2, capacity=30,
                features=["public-order-arena"], setup_cost=2_400_000,
                running_cost_per_day=1_400), True),
    (2010, dict(name="East London training hub", site="Stratford", rooms=8, capacity=24,
                features=["classroom", "projector", "it-suite"], setup_cost=900_000,
                running_cost_per_day=950), False),
    (2013, dict(name="South London training hub", site="Croydon", rooms=6, capacity=24,
                features=["classroom", "projector"], setup_cost=700_000,
                running_cost_per_day=850), True),
    (2016, dict(name="North West firearms range", site="Northolt", rooms=2, capacity=12,
                features=["classroom", "range"], setup_cost=3_100_000,
                running_cost_per_day=1_300), True),
    (2020, dict(name="Sidcup digital learning centre", site="Sidcup", rooms=6, capacity=20,
                features=["classroom", "it-suite"], setup_cost=650_000,
                running_cost_per_day=700), False),
)

# fmt: on
OTHER_BOOKINGS = (
    "Promotion board interviews",
    "Recruitment assessment centre",
    "Police Federation meeting",
    "Community consultation meeting",
    "Independent advisory group",
    "External hire",
    "Examination invigilation",
    "Borough management team away day",
    "Staff association event",
    "Major incident exercise",
    "Senior leadership seminar",
    "Occupational health clinic",
)


def easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def bank_holidays(year: int) -> list[tuple[date, str]]:
    """England's bank holidays in a calendar year (substitute days included)."""

    def monday_on_or_after(day: date) -> date:
        return day + timedelta(days=(7 - day.weekday()) % 7)

    def last_monday(month: int) -> date:
        day = date(year, month + 1, 1) - timedelta(days=1)
        return day - timedelta(days=day.weekday())

    new_year = date(year, 1, 1)
    if new_year.weekday() >= 5:
        new_year = monday_on_or_after(new_year)
    sunday = easter(year)
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:
        christmas, boxing = date(year, 12, 27), date(year, 12, 28)
    elif christmas.weekday() == 6:
        christmas, boxing = date(year, 12, 27), date(year, 12, 26)
    elif boxing.weekday() == 5:
        boxing = date(year, 12, 28)
    return [
        (new_year, "New Year's Day"),
        (sunday - timedelta(days=2), "Good Friday"),
        (sunday + timedelta(days=1), "Easter Monday"),
        (monday_on_or_after(date(year, 5, 1)), "Early May bank holiday"),
        (last_monday(5), "Spring bank holiday"),
        (last_monday(8), "Summer bank holiday"),
        (christmas, "Christmas Day"),
        (boxing, "Boxing Day"),
    ]
