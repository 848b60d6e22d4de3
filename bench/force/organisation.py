"""The force the history is about: a force the size of the Metropolitan Police (the numbers of
../shared/research-domain.md and api/demo.py), with its training needs raised by the teams that
hold them.

Five business groups; 32 boroughs of Territorial Policing with four response teams, CID,
custody and borough support each, and a Safer Neighbourhood team per ward (630, rolled out over
the first three years); the commands and units of the other groups. The people who act for the
boards, the TMB and LSPU, how often a unit raises a need for a course that covers it and how
often the TMB endorses one, and the reasons given when a need is withdrawn or rejected."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_CYCLE = 2003
LSPU = ("lspu.analyst1", "lspu.analyst2", "lspu.analyst3", "lspu.analyst4")
TMB_CHAIR, TMB_SECRETARY = "tmb.chair", "tmb.secretary"
FACILITIES_ACTOR = "lspu.facilities"
SYSTEM = "system"
ENDORSE_RATE = {"Mandated": 1.0, "Essential": 0.94, "Desirable": 0.82, "Optional": 0.62}
RAISE_RATE = {"Mandated": 0.97, "Essential": 0.85, "Desirable": 0.65, "Optional": 0.5}


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name: str
    allowance_hours: float
    chairs: tuple[str, ...]  # successive board chairs


GROUPS = (
    GroupSpec(
        "TP",
        "Territorial Policing",
        40,
        ("AC Territorial Policing", "DAC Territorial Policing", "Commander Territorial Policing"),
    ),
    GroupSpec(
        "SO", "Specialist Operations", 48, ("AC Specialist Operations", "DAC Specialist Operations")
    ),
    GroupSpec("SC", "Specialist Crime", 45, ("DAC Specialist Crime", "Commander Specialist Crime")),
    GroupSpec(
        "CO", "Central Operations", 40, ("DAC Central Operations", "Commander Central Operations")
    ),
    GroupSpec(
        "HR",
        "HR and support staff",
        24,
        ("Director of Human Resources", "Deputy Director of Human Resources"),
    ),
)


@dataclass(frozen=True)
class Unit:
    """A team or command that raises its own training needs."""

    group: str
    name: str
    kind: str
    officers: int
    staff: int
    since: int = FIRST_CYCLE  # first cycle in which it raises needs

    @property
    def planner(self) -> str:
        return "planner." + "".join(c for c in self.name.lower() if c.isalnum())[:40]


# fmt: off
BOROUGHS = (
    "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon",
    "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey",
    "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea",
    "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham", "Redbridge",
    "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest",
    "Wandsworth", "Westminster",
)
# fmt: on
WARDS = 630  # Safer Neighbourhood teams, one per ward

OTHER_UNITS = (
    ("SO", "Counter Terrorism Command", "ct", 1200, 300),
    ("SO", "Royalty Protection", "protection", 500, 40),
    ("SO", "Specialist Protection", "protection", 250, 20),
    ("SO", "Diplomatic Protection Group", "protection", 800, 50),
    ("SO", "Aviation Security", "protection", 500, 60),
    ("SO", "Palace of Westminster Division", "protection", 300, 40),
    ("SO", "Specialist Operations Headquarters", "support", 100, 300),
    ("SC", "Homicide and Serious Crime Command", "detective", 900, 200),
    ("SC", "Flying Squad", "detective", 200, 20),
    ("SC", "Child Abuse Investigation Command", "detective", 600, 100),
    ("SC", "Economic and Specialist Crime", "detective", 500, 150),
    ("SC", "Project Sapphire", "detective", 250, 40),
    ("SC", "Operation Trident", "detective", 350, 40),
    ("SC", "Clubs and Vice", "detective", 150, 20),
    ("SC", "Forensic Services", "support", 50, 700),
    ("SC", "Intelligence Bureau", "detective", 300, 400),
    ("SC", "Specialist Crime Headquarters", "support", 100, 200),
    ("CO", "Traffic OCU", "traffic", 1000, 150),
    ("CO", "Territorial Support Group", "tsg", 750, 30),
    ("CO", "Marine Policing Unit", "marine", 100, 20),
    ("CO", "Dog Support Unit", "dogs", 300, 30),
    ("CO", "Mounted Branch", "mounted", 150, 80),
    ("CO", "Air Support Unit", "air", 40, 20),
    ("CO", "Public Order Branch", "public_order", 200, 60),
    ("CO", "Central Communications Command", "ccc", 300, 1500),
    ("HR", "Human Resources Directorate", "staff", 50, 1200),
    ("HR", "Finance Directorate", "staff", 0, 600),
    ("HR", "Directorate of Information", "staff", 20, 900),
    ("HR", "Property Services", "staff", 0, 500),
    ("HR", "Transport Services", "staff", 10, 400),
    ("HR", "Training Administration", "staff", 60, 300),
    ("HR", "Occupational Health", "staff", 10, 150),
)


def units() -> list[Unit]:
    found = []
    for borough in BOROUGHS:
        for team in "ABCD":
            found.append(Unit("TP", f"{borough} response team {team}", "response", 95, 4))
        found.append(Unit("TP", f"{borough} CID", "cid", 90, 12))
        found.append(Unit("TP", f"{borough} custody", "custody", 25, 35))
        found.append(Unit("TP", f"{borough} borough support", "support", 15, 110))
    for ward in range(WARDS):
        borough = BOROUGHS[ward % len(BOROUGHS)]
        name = f"{borough} Safer Neighbourhood team {ward // len(BOROUGHS) + 1}"
        found.append(Unit("TP", name, "neighbourhood", 3, 3, FIRST_CYCLE + ward % 3))
    found += [Unit(g, name, kind, o, s) for g, name, kind, o, s in OTHER_UNITS]
    return found


OFFICER_KINDS = ("response", "neighbourhood", "cid", "custody", "ct", "protection", "detective",
                 "traffic", "tsg", "marine", "dogs", "mounted", "air", "public_order")  # fmt: skip
STAFF_KINDS = ("support", "staff", "ccc")


def officers(coverage: float, *, but: tuple[str, ...] = ()) -> dict[str, float]:
    return {kind: coverage for kind in OFFICER_KINDS if kind not in but}


def everyone(coverage: float) -> dict[str, float]:
    return {kind: coverage for kind in OFFICER_KINDS + STAFF_KINDS}


REASONS_WITHDRAWN = (
    "Merged into the national programme",
    "Team restructured",
    "Covered by e-learning instead",
    "Duplicate of another need",
    "Audience transferred to another command",
)
REASONS_REJECTED = (
    "No operational case this year",
    "Out-ranked within the budget",
    "Defer to next year's plan",
    "Local briefing is enough",
)
