"""A realistic event history of N events, made through the domain, for the benchmarks.

Every event comes from the real aggregates (`domain/`): their own commands run in memory, so
every rule applies (no prioritising before analysis, no double booking on confirmation, ...),
and the events are saved through `TrainingPlanner.save` in large transactions. A publication is
made exactly as `TrainingPlanner.publish_prospectus` makes it (the cycle, then every facility
confirming its sessions, then every need scheduled) and saved in one transaction, as there.

The organisation is a force the size of the Metropolitan Police (the numbers of
../shared/research-domain.md and api/demo.py), with needs raised by the teams that hold them:
five business groups; 32 boroughs of Territorial Policing with four response teams, CID,
custody and borough support each, and a Safer Neighbourhood team per ward (630, rolled out
over the first three years); the commands and units of the other groups. About 80 facilities
(Hendon, Gravesend, Lippitts Hill, the Central London Training Centre, specialist sites and the
boroughs' rooms and gyms), and candidate delivery centres (Orpington first). Every cycle
(the annual L&D plan, April to March) runs the same timetable:

* October: the cycle opens; units identify their needs (their courses from a catalogue of
  about 50 national and force courses, new legislation courses in the years they apply);
  LSPU records each need's analysis a few weeks later (some refined, a few withdrawn);
* January-February: every facility submits its schedule of usage for the year (bank-holiday
  closures, recruit intakes at Hendon, borough briefings, range maintenance, other bookings),
  day rates are reviewed, boards set their allowance and prioritise their needs (some
  re-prioritised at a second meeting), the TMB sets its weights;
* March: the TMB endorses or rejects; optimisation runs are recorded (what-if runs, now and
  then an interrupted or failed one, and the main run, drafted); planners amend and pin
  sessions; the prospectus is published (edition 1): facilities confirm, needs are scheduled;
* April-May: in-year needs (emerging issues, incidents) are fast-tracked, a re-plan run keeps
  the published sessions pinned and adds sessions for them, and edition 2 is published;
* all year: planners revise the coming month's schedule of usage; needs are withdrawn now and
  then; each need's delivery is recorded after its last session, and most are evaluated
  (some at a second Kirkpatrick level); group headcounts are updated every quarter;
  facilities are decommissioned and new ones open; centre proposals are costed and decided;
* the cycle is closed in July of the next year.

The run allocations are made by a small greedy planner here (the CP-SAT optimiser would take
minutes per run) in the optimiser's own output shape (`PlanningResult.to_dict()`: sessions,
cost, utilisation per venue and week, every need's outcome with reasons), so the cycle events
are as large as real ones.

Deterministic for a seed: the history is driven by a seeded random generator through a
time-ordered queue of commands; the aggregates' clock is a simulated one (events are stamped
with the simulated date, 1 ms apart) and new aggregate ids come from the seeded generator.
Exactly N events are stored: the generator stops at N (a publication that would not fit in
what is left is not made).

A finished history is marked in a table `bench_history` of the same database (events, seed,
generator version, a summary); a database that already holds the requested history is reused.

    python bench/history.py --events 1000000 --database sqlite:////tmp/h.db [--seed 1]
                            [--batch 5000] [--replace]
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import sqlite3
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import eventsourcing.domain as es_domain
from eventsourcing.domain import Aggregate

from domain import (
    BusinessGroup,
    DeliveryCentreProposal,
    Facility,
    NeedStatus,
    PlanningCycle,
    ProposalStatus,
    TrainingNeed,
    TrainingPlanner,
    store_env,
)
from domain.store import is_postgres, sqlite_path

GENERATOR = "trainplan-history/1"  # change when the history changes: old files are remade
FIRST_CYCLE = 2003
LSPU = ("lspu.analyst1", "lspu.analyst2", "lspu.analyst3", "lspu.analyst4")
TMB_CHAIR, TMB_SECRETARY = "tmb.chair", "tmb.secretary"
FACILITIES_ACTOR = "lspu.facilities"
SYSTEM = "system"
TRAINER_DAY_COST = 250  # as the cycles view and the optimiser's default weights count them
ABSTRACTION_PER_LEARNER_DAY = 180
HOURS_PER_ROOM_DAY = 8.0
LEVEL_RANK = {"Mandated": 0, "Essential": 1, "Desirable": 2, "Optional": 3}
LEVEL_WEIGHT = {"Mandated": 1000.0, "Essential": 100.0, "Desirable": 10.0, "Optional": 1.0}
ENDORSE_RATE = {"Mandated": 1.0, "Essential": 0.94, "Desirable": 0.82, "Optional": 0.62}
RAISE_RATE = {"Mandated": 0.97, "Essential": 0.85, "Desirable": 0.65, "Optional": 0.5}
OBJECTIVE_TERMS = (  # the optimiser's statement (planning.rules.objective.STATED)
    "lexicographic by two CP-SAT solves: first maximise learners of mandatory needs trained; "
    "then, with that fixed, maximise 1000 x priority-weighted learner-days (level weight x "
    "(1 + score/100)) minus cash cost (facility room-days, centre set-up and running, "
    "trainer-days) minus learner abstraction cost minus move_penalty per moved published "
    "session. Reported objective = 1e+09 x mandatory learners + the second term."
)


# --- the organisation -----------------------------------------------------------------------


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


@dataclass(frozen=True)
class Course:
    """A course in the catalogue; `kinds` gives, per kind of unit, the share of the unit's
    `who` (officers, staff or all) that needs it in a year."""

    code: str
    title: str
    days: float
    size: tuple[int, int]
    trainers: int
    features: tuple[str, ...]
    mode: str
    level: str
    score: int
    who: str
    kinds: dict[str, float]
    basis: str | None = None
    trigger: str = "continuing commitment"
    since: int = FIRST_CYCLE
    until: int = 9999


C = Course
# fmt: off
COURSES = (
    C("GP05", "Officer safety training refresher", 2, (12, 16), 2, ("gym", "mats"), "practical",
      "Mandated", 95, "officers", officers(0.9),
      "Health and Safety at Work Act 1974 s.7; officer safety policy", "new legislation"),
    C("OT232", "Emergency life support (first aid) refresher", 1, (12, 20), 1, ("classroom",),
      "practical", "Mandated", 90, "all", {**officers(0.33), "support": 0.1, "staff": 0.05},
      "Health and Safety (First-Aid) Regulations 1981"),
    C("FA1", "Firearms requalification", 2, (6, 12), 2, ("range",), "practical", "Mandated", 92,
      "officers", {"protection": 0.6, "ct": 0.3, "tsg": 0.2},
      "Authorised firearms officer policy (ACPO manual of guidance)"),
    C("FA2", "Firearms tactics refresher", 1, (6, 12), 2, ("classroom", "range"), "practical",
      "Mandated", 88, "officers", {"protection": 0.4, "ct": 0.2},
      "ACPO manual of guidance on the police use of firearms"),
    C("CU10", "Custody: detention and PACE Code C", 2, (8, 16), 1, ("classroom", "custody-suite"),
      "classroom", "Mandated", 85, "all", {"custody": 0.6},
      "Police and Criminal Evidence Act 1984, Code C"),
    C("HS01", "Health and safety for line managers", 1, (10, 20), 1, ("classroom",),
      "classroom", "Mandated", 70, "all", {**officers(0.03), "support": 0.05, "staff": 0.04},
      "Management of Health and Safety at Work Regulations 1999"),
    C("MH01", "Manual handling", 0.5, (8, 20), 1, ("classroom",), "practical", "Mandated", 60,
      "staff", {"support": 0.15, "staff": 0.1, "custody": 0.2},
      "Manual Handling Operations Regulations 1992"),
    C("PO2", "Public order level 2 refresher", 2, (20, 30), 3, ("public-order-arena",),
      "practical", "Essential", 80, "officers",
      {"response": 0.2, "neighbourhood": 0.1, "tsg": 0.3}),
    C("TS01", "Public order level 1 refresher", 5, (20, 30), 3, ("public-order-arena",),
      "practical", "Essential", 82, "officers", {"tsg": 0.5, "public_order": 0.4}),
    C("DT77", "Response driving course", 10, (6, 8), 2, ("classroom", "driving-track"),
      "practical", "Essential", 70, "officers", {"response": 0.02, "traffic": 0.05},
      trigger="audit finding"),
    C("DT12", "Standard driving refresher", 3, (4, 8), 1, ("driving-track",), "practical",
      "Essential", 60, "officers", {"response": 0.03, "neighbourhood": 0.02, "cid": 0.02}),
    C("DT30", "Advanced pursuit driving", 15, (4, 6), 2, ("driving-track",), "practical",
      "Essential", 72, "officers", {"traffic": 0.03}),
    C("DET1", "Initial detective development", 10, (12, 24), 2, ("classroom",), "classroom",
      "Essential", 75, "officers", {"cid": 0.08, "detective": 0.05}, trigger="new role"),
    C("DET2", "Advanced investigative interviewing", 5, (8, 12), 2, ("classroom",), "classroom",
      "Essential", 70, "officers", {"cid": 0.04, "detective": 0.06}),
    C("DET3", "Serious crime investigation", 5, (12, 20), 1, ("classroom", "projector"),
      "classroom", "Essential", 68, "officers", {"detective": 0.08}),
    C("CT01", "Counter-terrorism awareness (common theme)", 1, (12, 26), 1,
      ("classroom", "projector"), "blended", "Desirable", 60, "all", everyone(0.06),
      trigger="emerging performance issue"),
    C("CT05", "Search officer", 5, (8, 16), 2, ("classroom",), "practical", "Essential", 66,
      "officers", {"ct": 0.15, "tsg": 0.1}),
    C("IT12", "Custody system (NSPIS) user training", 1, (8, 20), 1, ("it-suite",), "classroom",
      "Desirable", 55, "all", {"custody": 0.4, "response": 0.05}, trigger="technology change"),
    C("IT20", "Crime reporting (CRIS) user training", 1, (8, 20), 1, ("it-suite",), "classroom",
      "Desirable", 50, "all",
      {"response": 0.08, "cid": 0.08, "neighbourhood": 0.1, "support": 0.05}),
    C("IT30", "Airwave radio conversion", 0.5, (10, 20), 1, ("classroom",), "classroom",
      "Essential", 62, "officers", officers(0.25), trigger="technology change", since=2004,
      until=2007),
    C("IT40", "Office systems for police staff", 1, (8, 16), 1, ("it-suite",), "classroom",
      "Optional", 35, "staff", {"staff": 0.08, "support": 0.05, "ccc": 0.03}),
    C("HR07", "Diversity and citizen focus", 1, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 65, "all", everyone(0.1), trigger="policy change"),
    C("HR15", "Leadership for support-staff managers", 3, (10, 20), 1, ("classroom", "projector"),
      "classroom", "Optional", 40, "staff", {"staff": 0.03, "support": 0.02, "ccc": 0.02}),
    C("HR20", "Recruitment and selection panels", 1, (8, 16), 1, ("classroom",), "classroom",
      "Desirable", 45, "all", {"staff": 0.02, "support": 0.02, "cid": 0.01, "response": 0.01}),
    C("LD01", "Sergeants' leadership programme", 5, (12, 20), 1, ("classroom", "projector"),
      "classroom", "Essential", 64, "officers", officers(0.025)),
    C("LD02", "Inspectors' leadership programme", 5, (12, 20), 1, ("classroom", "projector"),
      "classroom", "Essential", 62, "officers", officers(0.01, but=("neighbourhood",))),
    C("LD10", "Core leadership for police staff", 2, (12, 20), 1, ("classroom",), "classroom",
      "Desirable", 48, "staff", {"staff": 0.03, "support": 0.03, "ccc": 0.02}),
    C("NB01", "Neighbourhood policing: problem solving", 2, (12, 24), 1, ("classroom",),
      "classroom", "Essential", 67, "all", {"neighbourhood": 0.5}, trigger="policy change"),
    C("NB05", "Community engagement and ward panels", 1, (12, 24), 1, ("classroom",),
      "classroom", "Desirable", 52, "all", {"neighbourhood": 0.4}),
    C("DV01", "Domestic violence risk assessment", 1, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 74, "officers", {"response": 0.2, "neighbourhood": 0.2, "cid": 0.15},
      trigger="audit finding"),
    C("CH01", "Child protection awareness", 1, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 70, "all",
      {"response": 0.1, "neighbourhood": 0.15, "detective": 0.05, "cid": 0.1}),
    C("EV01", "Evidence gathering and statement taking", 2, (12, 20), 1, ("classroom",),
      "classroom", "Desirable", 55, "officers", {"response": 0.08, "neighbourhood": 0.1}),
    C("MR01", "Marine unit boat handling", 5, (4, 8), 2, ("water",), "practical", "Essential",
      70, "officers", {"marine": 0.3}),
    C("DG01", "General purpose dog handler refresher", 5, (4, 8), 1, ("dog-kennels",),
      "practical", "Essential", 70, "officers", {"dogs": 0.3}),
    C("MT01", "Mounted branch equitation refresher", 10, (4, 8), 2, ("stables",), "practical",
      "Essential", 68, "officers", {"mounted": 0.3}),
    C("AS01", "Air support observer refresher", 5, (4, 6), 1, ("classroom", "it-suite"),
      "classroom", "Essential", 66, "officers", {"air": 0.4}),
    C("CC01", "Call handling (CAD) initial course", 3, (8, 16), 1, ("it-suite",), "classroom",
      "Essential", 68, "staff", {"ccc": 0.15}),
    C("CC05", "Emergency call handling refresher", 1, (8, 16), 1, ("it-suite",), "classroom",
      "Desirable", 55, "staff", {"ccc": 0.25}),
    C("PR01", "Protection officer course", 10, (8, 12), 2, ("classroom", "range"), "practical",
      "Essential", 74, "officers", {"protection": 0.04}),
    C("FS01", "Forensic awareness for crime scene managers", 3, (8, 16), 1,
      ("classroom", "projector"), "classroom", "Desirable", 50, "all",
      {"detective": 0.04, "cid": 0.03, "support": 0.02}),
    C("IN01", "Intelligence analysis", 5, (8, 16), 1, ("it-suite",), "classroom", "Desirable",
      52, "all", {"detective": 0.03, "ct": 0.05, "staff": 0.01}),
    C("TR01", "Trainer development", 5, (6, 12), 1, ("classroom", "projector"), "classroom",
      "Optional", 38, "all", {"staff": 0.01, "tsg": 0.01, "response": 0.005}),
    # New legislation and technology, in the years they were rolled out.
    C("LE01", "Police Reform Act 2002: designated powers", 0.5, (12, 26), 1, ("classroom",),
      "classroom", "Mandated", 80, "all", {"neighbourhood": 0.5, "custody": 0.2},
      "Police Reform Act 2002, Schedule 4 (designated powers)", "new legislation", 2003, 2005),
    C("LE02", "Sexual Offences Act 2003", 1, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 76, "officers", {"cid": 0.3, "detective": 0.2, "response": 0.1},
      trigger="new legislation", since=2004, until=2006),
    C("LE03", "SOCPA 2005: powers of arrest", 0.5, (12, 26), 1, ("classroom",), "classroom",
      "Mandated", 78, "officers", officers(0.3),
      "Serious Organised Crime and Police Act 2005, s.110", "new legislation", 2005, 2007),
    C("LE04", "Mental Capacity Act 2005 awareness", 0.5, (12, 26), 1, ("classroom",),
      "classroom", "Essential", 66, "all", {"custody": 0.3, "response": 0.1},
      trigger="new legislation", since=2007, until=2009),
    C("LE05", "Equality Act 2010: public sector equality duty", 0.5, (12, 26), 1,
      ("classroom",), "blended", "Mandated", 72, "all", everyone(0.2),
      "Equality Act 2010, s.149", "new legislation", 2010, 2012),
    C("LE06", "Protection of Freedoms Act 2012", 0.5, (12, 26), 1, ("classroom",), "classroom",
      "Essential", 64, "officers", {"custody": 0.3, "cid": 0.2, "response": 0.1},
      trigger="new legislation", since=2012, until=2014),
    C("BW01", "Body-worn video user training", 0.5, (8, 16), 1, ("classroom",), "practical",
      "Essential", 63, "officers", {"response": 0.5, "neighbourhood": 0.3, "tsg": 0.3},
      trigger="technology change", since=2014, until=2017),
    C("LE07", "Policing and Crime Act 2017: pre-charge bail", 0.5, (12, 26), 1, ("classroom",),
      "classroom", "Essential", 66, "officers", {"cid": 0.3, "custody": 0.4, "response": 0.1},
      trigger="new legislation", since=2017, until=2019),
    C("DP01", "Data protection (GDPR and DPA 2018)", 0.5, (12, 26), 1, ("it-suite",),
      "e-learning", "Mandated", 70, "all", everyone(0.25), "Data Protection Act 2018",
      "new legislation", 2018, 2020),
)
# fmt: on
COURSE = {course.code: course for course in COURSES}


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


# --- dates ----------------------------------------------------------------------------------


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


def cycle_name(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def at(day: date, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=es_domain.TZINFO)


def month_span(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def cycle_months(year: int) -> list[tuple[int, int]]:
    return [(year + (m < 4), m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def weekday(ordinal: int) -> int:
    """date.fromordinal(ordinal).weekday(), without making the date."""
    return (ordinal + 6) % 7


def working_days(first: int, last: int) -> int:
    return sum(weekday(day) < 5 for day in range(first, last + 1))


def working_days_from(first: int, count: int) -> list[int]:
    """`count` consecutive working days (ordinals) from `first`, itself a working day."""
    days, day = [], first
    while len(days) < count:
        if weekday(day) < 5:
            days.append(day)
        day += 1
    return days


# --- a simulated clock and seeded ids for the aggregates ------------------------------------


class SimulatedClock:
    """The aggregates' clock: each event is stamped 1 ms after the one before, never before
    the time of the command that makes it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance_to(self, moment: datetime) -> None:
        if moment > self.now:
            self.now = moment

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@contextmanager
def simulated(clock: SimulatedClock, ids: random.Random) -> Iterator[None]:
    """Patches the eventsourcing library's clock and its uuid4 (used for new aggregate ids
    that have no natural key: needs and centre proposals) for the duration."""
    saved = es_domain.datetime_now_with_tzinfo, es_domain.uuid4
    es_domain.datetime_now_with_tzinfo = clock  # type: ignore[assignment]
    es_domain.uuid4 = lambda: UUID(int=ids.getrandbits(128), version=4)  # type: ignore
    try:
        yield
    finally:
        es_domain.datetime_now_with_tzinfo, es_domain.uuid4 = saved  # type: ignore[assignment]


# --- a room-day ledger ----------------------------------------------------------------------

# A closure blocks its days whatever the rooms: re-submitted, a closure takes the facility's
# rooms at that time, which may be more than when it was first submitted.
BLOCKED = 1_000


def span(entry: dict[str, Any]) -> range:
    return range(
        date.fromisoformat(entry["starts_on"]).toordinal(),
        date.fromisoformat(entry["ends_on"]).toordinal() + 1,
    )


def add_entries(
    taken: Counter[int], entries: Iterable[dict[str, Any]], first: int, last: int
) -> None:
    lo, hi = date.fromordinal(first).isoformat(), date.fromordinal(last).isoformat()
    for entry in entries:
        if entry["ends_on"] < lo or entry["starts_on"] > hi:
            continue
        rooms = BLOCKED if entry.get("kind") == "closure" else entry.get("rooms", 1)
        for day in span(entry):
            taken[day] += rooms


# --- the plan of one cycle ------------------------------------------------------------------


@dataclass
class NeedInfo:
    unit: Unit
    course: Course
    learners: int
    in_year: bool = False
    window: tuple[str, str] = ("", "")


@dataclass
class Venue:
    """A venue as the planner sees it for one allocation."""

    venue_id: str
    kind: str  # facility | centre
    rooms: int
    capacity: int
    features: frozenset[str]
    rate: float
    first_day: int
    taken: Counter[int]
    before: Counter[int]  # taken before this allocation (for utilisation)
    used: Counter[int] = field(default_factory=Counter)


@dataclass
class CyclePlan:
    year: int
    cycle: PlanningCycle
    needs: dict[str, TrainingNeed] = field(default_factory=dict)
    info: dict[str, NeedInfo] = field(default_factory=dict)
    edition_two: date | None = None

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 3, 31)


class Full(Exception):
    """The history has all its events."""


# --- the history ----------------------------------------------------------------------------


class History:
    """Drives the domain through the years until `target` events are made; saves them in
    transactions of about `batch` events."""

    def __init__(
        self,
        planner: TrainingPlanner,
        target: int,
        seed: int,
        batch: int = 5000,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.planner = planner
        self.target = target
        self.seed = seed
        self.batch = batch
        self.progress = progress or (lambda _: None)
        self.rng = random.Random(f"trainplan-history:{seed}")
        self.ids = random.Random(f"trainplan-history-ids:{seed}")
        self.clock = SimulatedClock(at(date(FIRST_CYCLE - 1, 9, 1), 8))
        self.queue: list[tuple[datetime, int, Callable[..., None], tuple[Any, ...]]] = []
        self.sequence = 0
        self.buffer: list[Any] = []
        self.saved = 0
        self.kinds: Counter[str] = Counter()
        self.skipped_publications = 0
        self.units = units()
        self.groups: dict[str, BusinessGroup] = {}
        self.chairs: dict[str, str] = {}
        self.facilities: dict[str, Facility] = {}
        self.venue_spec: dict[str, VenueSpec] = {}
        self.in_service: list[str] = []  # facility ids, in registration order
        self.closing_from: dict[str, int] = {}  # facility id -> first cycle out of service
        self.cycles_opened: list[str] = []
        self.centres: dict[str, DeliveryCentreProposal] = {}
        self.centre_sessions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.plans: dict[int, CyclePlan] = {}
        self.tentative: dict[str, dict[str, Counter[int]]] = {}  # cycle id -> venue -> days
        self.sessions_made = 0
        self.started = time.perf_counter()
        self.last_report = 0

    # --- the event budget and saving --------------------------------------------------------

    @property
    def made(self) -> int:
        return self.saved + len(self.buffer)

    @property
    def remaining(self) -> int:
        return self.target - self.made

    def emit(self, *aggregates: Aggregate) -> None:
        """Collects the aggregates' new events, in the order the application would save them."""
        for aggregate in aggregates:
            for event in aggregate.collect_events():
                self.buffer.append(event)
                self.kinds[type(event).__qualname__] += 1
        if self.made > self.target:  # a bug in this generator, never expected
            raise AssertionError(f"made {self.made} events, more than {self.target}")

    def check_room(self, events: int = 1) -> bool:
        """True if `events` more events fit; raises Full when none do."""
        if self.remaining <= 0:
            raise Full
        return self.remaining >= events

    def flush(self) -> None:
        if self.buffer:
            self.planner.save(*self.buffer)
            self.saved += len(self.buffer)
            self.buffer = []
        if self.saved - self.last_report >= 100_000 or self.saved == self.target:
            self.last_report = self.saved
            rate = self.saved / max(time.perf_counter() - self.started, 1e-9)
            self.progress(
                f"  {self.saved:>9,} events  at {self.clock.now:%Y-%m-%d}  {rate:,.0f} events/s"
            )

    # --- the queue of commands ----------------------------------------------------------------

    def later(self, moment: datetime, action: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self.queue, (moment, self.sequence, action, args))
        self.sequence += 1

    def run(self) -> None:
        self.later(self.clock.now, self.set_up)
        self.later(at(date(FIRST_CYCLE - 1, 9, 1), 9), self.plan_cycle, FIRST_CYCLE)
        try:
            while self.queue:
                moment, _, action, args = heapq.heappop(self.queue)
                self.clock.advance_to(moment)
                action(*args)
                if len(self.buffer) >= self.batch:
                    self.flush()
                if self.remaining <= 0:
                    break
        except Full:
            pass
        self.flush()
        if self.saved != self.target:
            raise AssertionError(f"made {self.saved} events, not {self.target}")

    def jitter(self, day: date, first_hour: int = 8, last_hour: int = 17) -> datetime:
        return at(
            day,
            self.rng.randint(first_hour, last_hour - 1),
            self.rng.randint(0, 59),
            self.rng.randint(0, 59),
        )

    def some_day(self, first: date, last: date) -> date:
        return date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))

    # --- the organisation at the start --------------------------------------------------------

    def set_up(self) -> None:
        headcount: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for unit in self.units:
            headcount[unit.group][0] += unit.officers
            headcount[unit.group][1] += unit.staff
        for spec in GROUPS:
            officers_, staff = headcount[spec.code]
            group = BusinessGroup.register(
                name=spec.name, code=spec.code, officers=officers_, staff=staff, actor=LSPU[0]
            )
            self.check_room()
            self.emit(group)
            self.groups[spec.code] = group
            self.chairs[spec.code] = spec.chairs[0]
            self.check_room()
            group.assign_board_chair(chair=spec.chairs[0], actor=TMB_CHAIR)
            self.emit(group)
        for spec in VENUES:
            self.register_facility(spec, opened_on=date(1990, 1, 1))

    def register_facility(self, spec: VenueSpec, opened_on: date) -> None:
        owner = self.groups[spec.owner].id if spec.owner else None
        facility = Facility.register(
            name=spec.name,
            site=spec.site,
            owning_group_id=owner,
            capacity=spec.capacity,
            rooms=spec.rooms,
            features=list(spec.features),
            cost_per_day=spec.cost_per_day,
            opened_on=opened_on,
            actor=FACILITIES_ACTOR,
        )
        self.check_room()
        self.emit(facility)
        self.facilities[str(facility.id)] = facility
        self.venue_spec[str(facility.id)] = spec
        self.in_service.append(str(facility.id))

    # --- one cycle's timetable ----------------------------------------------------------------

    def plan_cycle(self, year: int) -> None:
        """Schedules everything that happens for cycle `year` (April `year` to March next)."""
        rng = self.rng
        self.later(at(date(year, 9, 1), 7), self.plan_cycle, year + 1)
        self.later(self.jitter(date(year - 1, 9, 3)), self.open_cycle, year)
        # Facilities: one closes at the start of the cycle, a new one opens.
        if year > FIRST_CYCLE and rng.random() < 0.6:
            boroughs = [f for f in self.in_service if self.venue_spec[f].site.endswith("borough")]
            closing = rng.choice(boroughs)
            spec = self.venue_spec[closing]
            self.closing_from[closing] = year
            self.later(self.jitter(date(year, 4, 2)), self.decommission, closing, year)
            new = VenueSpec(
                f"{spec.name} ({year} new build)",
                spec.site,
                spec.rooms + 1,
                spec.capacity,
                spec.features,
                spec.cost_per_day * 1.2,
                spec.owner,
                spec.bookings,
            )
            self.later(self.jitter(date(year - 1, 11, 10)), self.open_facility, new, year)
        for first_year, proposal, approve in CENTRES:
            if first_year == year:
                self.later(
                    self.jitter(date(year - 1, 9, 10)), self.propose_centre, proposal, approve, year
                )
        # Groups: quarterly headcounts, the allowance, now and then a new chair.
        for code in self.groups:
            for day in (
                date(year - 1, 10, 5),
                date(year, 1, 5),
                date(year, 4, 5),
                date(year, 7, 5),
            ):
                self.later(self.jitter(day), self.update_headcount, code)
            self.later(
                self.jitter(self.some_day(date(year, 2, 1), date(year, 2, 5))),
                self.set_allowance,
                code,
                year,
            )
        if year % 4 == 0:
            code = rng.choice(sorted(self.groups))
            self.later(self.jitter(date(year - 1, 9, 20)), self.new_chair, code)
        # Needs: identified by the units from mid September to mid January.
        first, last = date(year - 1, 9, 15), date(year, 1, 20)
        for unit in self.units:
            if unit.since > year:
                continue
            for course in COURSES:
                if not course.since <= year <= course.until:
                    continue
                coverage = course.kinds.get(unit.kind)
                if not coverage or rng.random() > RAISE_RATE[course.level]:
                    continue
                base = {
                    "officers": unit.officers,
                    "staff": unit.staff,
                    "all": unit.officers + unit.staff,
                }[course.who]
                exact = base * coverage * rng.uniform(0.6, 1.4)
                learners = int(exact) + (rng.random() < exact - int(exact))
                if learners < 1:
                    continue
                self.later(
                    self.jitter(self.some_day(first, last)),
                    self.identify,
                    year,
                    unit,
                    course,
                    learners,
                    False,
                )
        # Facilities: the year's schedules of usage, day rates, monthly revisions.
        for facility_id in list(self.in_service):
            self.plan_facility(facility_id, year)
        # Boards, the TMB, the runs, the prospectus.
        for index, code in enumerate(sorted(self.groups)):
            meeting = date(year, 2, 3 + 3 * index)
            self.later(at(meeting, 10), self.board_meeting, year, code, False)
            self.later(at(meeting + timedelta(days=21), 10), self.board_meeting, year, code, True)
        self.later(self.jitter(date(year, 2, 27)), self.set_weights, year)
        self.later(at(date(year, 3, 3), 10), self.tmb_meeting, year, False)
        for what_if in range(rng.choice((1, 1, 2))):
            self.later(self.jitter(date(year, 3, 8 + what_if)), self.what_if_run, year, what_if)
        if rng.random() < 0.15:
            self.later(self.jitter(date(year, 3, 10)), self.interrupted_run, year)
        if rng.random() < 0.07:
            self.later(self.jitter(date(year, 3, 11)), self.failed_run, year)
        self.later(at(date(year, 3, 14), 9), self.main_run, year)
        # In-year needs, the re-plan and edition 2.
        first, last = date(year, 3, 1), date(year, 4, 3)
        for _ in range(int(len(self.units) * 0.04)):
            unit = rng.choice(self.units)
            options = [c for c in COURSES if unit.kind in c.kinds and c.since <= year <= c.until]
            if unit.since <= year and options:
                course = rng.choice(options)
                base = unit.officers + unit.staff
                learners = max(1, int(base * course.kinds[unit.kind] * rng.uniform(0.3, 1.0)))
                self.later(
                    self.jitter(self.some_day(first, last)),
                    self.identify,
                    year,
                    unit,
                    course,
                    learners,
                    True,
                )
        self.later(at(date(year, 4, 16), 10), self.tmb_meeting, year, True)
        self.later(at(date(year, 4, 20), 9), self.replan_run, year)
        if rng.random() < 0.3:
            self.later(self.jitter(date(year, 10, 15)), self.change_budget, year)
        self.later(self.jitter(date(year + 1, 7, 31)), self.close_cycle, year)

    def plan_facility(self, facility_id: str, year: int) -> None:
        rng = self.rng
        self.later(
            self.jitter(self.some_day(date(year, 1, 5), date(year, 2, 25))),
            self.submit_year,
            facility_id,
            year,
        )
        if rng.random() < 0.6:
            self.later(
                self.jitter(self.some_day(date(year, 2, 1), date(year, 2, 28))),
                self.review_rate,
                facility_id,
            )
        for y, m in cycle_months(year):
            if rng.random() < 0.35:
                before = date(y, m, 1) - timedelta(days=rng.randint(5, 20))
                self.later(self.jitter(before), self.revise_month, facility_id, y, m)

    # --- groups -----------------------------------------------------------------------------

    def update_headcount(self, code: str) -> None:
        self.check_room()
        group = self.groups[code]
        officers_ = max(1, round(group.officers * self.rng.uniform(0.985, 1.02)))
        staff = max(1, round(group.staff * self.rng.uniform(0.98, 1.025)))
        group.update_headcount(officers=officers_, staff=staff, actor=f"hr.{code.lower()}")
        self.emit(group)

    def set_allowance(self, code: str, year: int) -> None:
        self.check_room()
        spec = next(g for g in GROUPS if g.code == code)
        hours = round(spec.allowance_hours * self.rng.uniform(0.9, 1.15), 1)
        self.groups[code].set_allowance(
            hours_per_head=hours,
            actor=self.chairs[code],
            reason=f"Acceptable training time per head for {cycle_name(year)}, with regard to "
            "operational capability",
        )
        self.emit(self.groups[code])

    def new_chair(self, code: str) -> None:
        self.check_room()
        chairs = next(g.chairs for g in GROUPS if g.code == code)
        chair = chairs[(chairs.index(self.chairs[code]) + 1) % len(chairs)]
        self.chairs[code] = chair
        self.groups[code].assign_board_chair(chair=chair, actor=TMB_CHAIR)
        self.emit(self.groups[code])

    # --- facilities -------------------------------------------------------------------------

    def open_facility(self, spec: VenueSpec, year: int) -> None:
        self.check_room()
        self.register_facility(spec, opened_on=date(year, 4, 1))
        self.plan_facility(self.in_service[-1], year)

    def decommission(self, facility_id: str, year: int) -> None:
        self.check_room()
        facility = self.facilities[facility_id]
        facility.decommission(
            on=date(year, 4, 2),
            actor=FACILITIES_ACTOR,
            reason="Site disposed of under the estate strategy; replaced by a new build",
        )
        self.emit(facility)
        del self.facilities[facility_id]
        self.in_service.remove(facility_id)

    def closing(self, facility_id: str, year: int) -> bool:
        """Out of service from cycle `year`: no schedules, no sessions."""
        return year >= self.closing_from.get(facility_id, 9999)

    def usable(self, facility_id: str, year: int, day: date | None = None) -> bool:
        facility = self.facilities.get(facility_id)
        if facility is None or self.closing(facility_id, year):
            return False
        return not (day and facility.opened_on and day.isoformat() < facility.opened_on)

    def review_rate(self, facility_id: str) -> None:
        facility = self.facilities.get(facility_id)
        if facility is None:
            return
        self.check_room()
        rooms = facility.rooms + (1 if self.rng.random() < 0.03 else 0)
        facility.change_details(
            cost_per_day=round(facility.cost_per_day * self.rng.uniform(1.0, 1.06), 2),
            rooms=rooms,
            actor=FACILITIES_ACTOR,
            reason="Annual day-rate review"
            + (" and refurbishment" if rooms > facility.rooms else ""),
        )
        self.emit(facility)

    def load(self, facility_id: str, first: int, last: int, *, usage: bool = True) -> Counter[int]:
        """Room-days taken at a facility or centre: its usage, every confirmed session and every
        tentative one of a current draft (cautious: a draft session counts even where it is
        also confirmed)."""
        taken: Counter[int] = Counter()
        facility = self.facilities.get(facility_id)
        if facility is not None:
            if usage:
                add_entries(taken, facility.usage, first, last)
            add_entries(taken, facility.sessions, first, last)
        else:
            add_entries(taken, self.centre_sessions[facility_id], first, last)
        for venues in self.tentative.values():
            for day, rooms in venues.get(facility_id, {}).items():
                if first <= day <= last:
                    taken[day] += rooms
        return taken

    def usage_entries(
        self,
        facility: Facility,
        spec: VenueSpec,
        first: date,
        last: date,
        taken: Counter[int],
        extra: int,
    ) -> list[dict[str, Any]]:
        """Bookings and closures for a period (whole months), fitted around what is taken."""
        rng = self.rng
        entries: list[dict[str, Any]] = []
        rooms = facility.rooms

        def fits(start: date, end: date, count: int) -> bool:
            return all(
                taken[d] + count <= rooms for d in range(start.toordinal(), end.toordinal() + 1)
            )

        def book(start: date, end: date, purpose: str, count: int, kind: str = "booking") -> None:
            if start < first or end > last or not fits(start, end, count):
                return
            for d in range(start.toordinal(), end.toordinal() + 1):
                taken[d] += BLOCKED if kind == "closure" else count
            entry = {
                "starts_on": start.isoformat(),
                "ends_on": end.isoformat(),
                "kind": kind,
                "purpose": purpose,
            }
            if kind == "booking":
                entry["rooms"] = count
            entries.append(entry)

        for year in range(first.year, last.year + 1):
            for day, name in bank_holidays(year):
                book(day, day, name, rooms, "closure")
        months = [
            (y, m)
            for y in range(first.year, last.year + 1)
            for m in range(1, 13)
            if first <= date(y, m, 1) <= last
        ]
        for y, m in months:
            start, end = month_span(y, m)
            if spec.bookings == "recruits" and (m % 2 == 0 or extra):
                for piece in self.pieces(start + timedelta(days=rng.randint(0, 6)), end, taken, 4):
                    book(*piece, f"Recruit foundation course intake {y % 100:02d}{m:02d}", 4)
            if spec.bookings == "borough":
                for week in range(0, 5, 2):
                    day = start + timedelta(days=(7 - start.weekday()) % 7 + 7 * week)
                    book(day, day, "Borough briefing and tasking", 1)
            if spec.bookings == "range" and m in (5, 8, 11, 2):
                day = start + timedelta(days=14 + (7 - start.weekday()) % 7)
                book(day, day + timedelta(days=4), "Range maintenance", rooms)
            if m == 8 and rng.random() < 0.3:
                book(
                    start + timedelta(days=7),
                    start + timedelta(days=13),
                    "Annual maintenance shutdown",
                    rooms,
                )
            for _ in range(rng.randint(0, 2) + extra):
                day = start + timedelta(days=rng.randint(0, (end - start).days))
                length = rng.choice((0, 0, 0, 1, 2))
                book(
                    day,
                    min(end, day + timedelta(days=length)),
                    rng.choice(OTHER_BOOKINGS),
                    1 if rooms < 3 else rng.randint(1, 2),
                )
        return entries

    def pieces(
        self, start: date, end: date, taken: Counter[int], rooms: int
    ) -> list[tuple[date, date]]:
        """A long booking cut into runs of free days (it never lies across a closure)."""
        found, piece, day = [], None, start
        while day <= end:
            if taken[day.toordinal()] == 0:
                piece = piece or day
            elif piece:
                found.append((piece, day - timedelta(days=1)))
                piece = None
            day += timedelta(days=1)
        if piece:
            found.append((piece, end))
        return found

    def submit_year(self, facility_id: str, year: int) -> None:
        if not self.usable(facility_id, year, date(year, 4, 1)):
            return
        self.check_room()
        facility = self.facilities[facility_id]
        first, last = date(year, 4, 1), date(year + 1, 3, 31)
        taken = self.load(facility_id, first.toordinal(), last.toordinal(), usage=False)
        entries = self.usage_entries(facility, self.venue_spec[facility_id], first, last, taken, 0)
        facility.submit_schedule(
            period_start=first, period_end=last, entries=entries, actor=self.site_planner(facility)
        )
        self.emit(facility)

    def revise_month(self, facility_id: str, year: int, month: int) -> None:
        cycle_year = year if month >= 4 else year - 1
        first, last = month_span(year, month)
        if not self.usable(facility_id, cycle_year, first):
            return
        facility = self.facilities[facility_id]
        if not any(first.isoformat() <= u["starts_on"] <= last.isoformat() for u in facility.usage):
            return  # nothing submitted for that month yet
        self.check_room()
        taken = self.load(facility_id, first.toordinal(), last.toordinal(), usage=False)
        kept = [
            {**u, "rooms": facility.rooms} if u["kind"] == "closure" else dict(u)
            for u in facility.usage
            if first.isoformat() <= u["starts_on"]
            and u["ends_on"] <= last.isoformat()
            and (u["kind"] == "closure" or self.rng.random() > 0.15)
        ]
        add_entries(taken, kept, first.toordinal(), last.toordinal())
        spec = VenueSpec("", "", 0, 0, (), 0, bookings="generic")  # only other bookings
        extra = self.usage_entries(facility, spec, first, last, taken, 1)
        extra = [e for e in extra if e["kind"] == "booking"]
        facility.submit_schedule(
            period_start=first,
            period_end=last,
            entries=kept + extra,
            actor=self.site_planner(facility),
        )
        self.emit(facility)

    @staticmethod
    def site_planner(facility: Facility) -> str:
        return "planner." + "".join(c for c in facility.site.lower() if c.isalnum())[:30]

    # --- centres ----------------------------------------------------------------------------

    def propose_centre(self, proposal: dict[str, Any], approve: bool, year: int) -> None:
        self.check_room()
        centre = DeliveryCentreProposal.propose(
            **proposal, earliest_opening=date(year, 10, 1), actor=LSPU[0]
        )
        self.emit(centre)
        self.centres[str(centre.id)] = centre
        self.later(self.jitter(date(year - 1, 11, 20)), self.cost_centre, str(centre.id))
        self.later(self.jitter(date(year - 1, 12, 15)), self.decide_centre, str(centre.id), approve)

    def cost_centre(self, centre_id: str) -> None:
        self.check_room()
        centre = self.centres[centre_id]
        centre.cost(
            setup_cost=round(centre.setup_cost * self.rng.uniform(1.0, 1.15), -3),
            running_cost_per_day=round(centre.running_cost_per_day * self.rng.uniform(1.0, 1.1)),
            notes="Feasibility study: refit, equipment and staffing costed",
            actor=LSPU[1],
        )
        self.emit(centre)

    def decide_centre(self, centre_id: str, approve: bool) -> None:
        self.check_room()
        centre = self.centres[centre_id]
        if approve:
            centre.approve(
                reason="Business case for a Training Delivery Centre (Rec. 5)", actor=TMB_CHAIR
            )
        else:
            centre.reject(reason="Not affordable within the capital programme", actor=TMB_CHAIR)
        self.emit(centre)

    # --- needs ------------------------------------------------------------------------------

    def open_cycle(self, year: int) -> None:
        self.check_room()
        cycle = PlanningCycle.open(
            name=cycle_name(year),
            starts_on=date(year, 4, 1),
            ends_on=date(year + 1, 3, 31),
            budget=round(6_300_000 * 1.03 ** (year - FIRST_CYCLE), -3),
            actor=TMB_CHAIR,
        )
        self.emit(cycle)
        self.plans[year] = CyclePlan(year, cycle, edition_two=date(year, 5, 2))
        self.cycles_opened.append(cycle.name)

    def identify(self, year: int, unit: Unit, course: Course, learners: int, in_year: bool) -> None:
        plan = self.plans.get(year)
        if plan is None:
            return
        self.check_room()
        rng = self.rng
        trigger = (
            rng.choice(("emerging performance issue", "incident")) if in_year else (course.trigger)
        )
        need = TrainingNeed.identify(
            group_id=self.groups[unit.group].id,
            title=f"{course.title}: {unit.name}",
            trigger=trigger,
            actor=unit.planner,
            description=f"{learners} of {unit.name} need {course.title.lower()} ({course.code})",
        )
        self.emit(need)
        window = (plan.start, plan.end)
        if not in_year and course.days <= 5 and rng.random() < 0.15:
            window = rng.choice(((plan.start, date(year, 9, 30)), (date(year, 10, 1), plan.end)))
        if in_year:
            window = (date(year, 6, 1), plan.end)
        key = str(need.id)
        plan.needs[key] = need
        plan.info[key] = NeedInfo(
            unit, course, learners, in_year, (window[0].isoformat(), window[1].isoformat())
        )
        today = self.clock.now.date()
        if in_year:
            self.later(
                self.jitter(today + timedelta(days=rng.randint(2, 5))),
                self.analyse,
                year,
                key,
                False,
            )
            self.later(
                self.jitter(today + timedelta(days=rng.randint(7, 11))),
                self.prioritise,
                year,
                key,
                self.chairs[unit.group],
            )
            return
        if rng.random() < 0.02:
            day = min(today + timedelta(days=rng.randint(1, 60)), date(year, 1, 31))
            self.later(self.jitter(day), self.withdraw, year, key, rng.choice(REASONS_WITHDRAWN))
        day = min(today + timedelta(days=rng.randint(5, 40)), date(year, 1, 31))
        self.later(self.jitter(day), self.analyse, year, key, False)
        if rng.random() < 0.12:
            again = min(day + timedelta(days=rng.randint(1, 10)), date(year, 2, 1))
            self.later(self.jitter(again), self.analyse, year, key, True)
        if rng.random() < 0.01:
            self.later(
                self.jitter(date(year, 2, 25)),
                self.withdraw,
                year,
                key,
                rng.choice(REASONS_WITHDRAWN),
            )

    def analyse(self, year: int, key: str, refine: bool) -> None:
        plan = self.plans[year]
        need, info = plan.needs[key], plan.info[key]
        if need.status not in (NeedStatus.IDENTIFIED, NeedStatus.ANALYSED):
            return
        if refine and need.status is not NeedStatus.ANALYSED:
            return
        self.check_room()
        course, rng = info.course, self.rng
        if refine:
            info.learners = max(1, info.learners + rng.randint(-3, 3))
        need.record_analysis(
            actor=rng.choice(LSPU),
            gap_statement=f"{course.title}: {info.learners} in {info.unit.name} are not current"
            + (" (revised after the unit's return)" if refine else ""),
            audience=f"{course.who.capitalize()} of {info.unit.name}",
            learners=info.learners,
            course_code=course.code,
            delivery_mode=course.mode,
            days_per_learner=course.days,
            class_size_min=course.size[0],
            class_size_max=course.size[1],
            trainers_per_session=course.trainers,
            required_features=list(course.features),
            mandatory_basis=course.basis,
            risk_if_untrained="critical"
            if course.basis
            else rng.choice(("high", "medium", "medium", "low")),
            window_start=info.window[0],
            window_end=info.window[1],
        )
        self.emit(need)

    def prioritise(self, year: int, key: str, chair: str) -> None:
        plan = self.plans[year]
        need, course = plan.needs[key], plan.info[key].course
        if need.status not in (NeedStatus.ANALYSED, NeedStatus.PRIORITISED):
            return
        self.check_room()
        score = max(0, min(100, course.score + self.rng.randint(-8, 8)))
        need.prioritise(
            level=course.level,
            score=score,
            actor=chair,
            reason=f"{course.level}: {course.basis or 'operational capability'}",
        )
        self.emit(need)

    def board_meeting(self, year: int, code: str, second: bool) -> None:
        """The group's board prioritises its analysed needs (at its second meeting it
        re-prioritises a few)."""
        plan = self.plans[year]
        group_id = self.groups[code].id
        for key, need in plan.needs.items():
            if need.group_id != group_id or plan.info[key].in_year:
                continue
            if second and not (need.status is NeedStatus.PRIORITISED and self.rng.random() < 0.08):
                continue
            if not second and need.status is not NeedStatus.ANALYSED:
                continue
            self.prioritise(year, key, self.chairs[code])

    def set_weights(self, year: int) -> None:
        self.check_room()
        cycle = self.plans[year].cycle
        cycle.set_weights(
            weights=dict(LEVEL_WEIGHT),
            actor=TMB_CHAIR,
            reason="TMB strategic direction: legal duties first, then capability",
        )
        self.emit(cycle)

    def tmb_meeting(self, year: int, in_year: bool) -> None:
        plan = self.plans[year]
        for key, need in plan.needs.items():
            info = plan.info[key]
            if info.in_year != in_year or need.status is not NeedStatus.PRIORITISED:
                continue
            self.check_room()
            if self.rng.random() < ENDORSE_RATE[need.priority_level or "Optional"]:
                need.endorse(
                    reason=f"Endorsed for the {cycle_name(year)} plan", actor=TMB_SECRETARY
                )
            else:
                need.reject(reason=self.rng.choice(REASONS_REJECTED), actor=TMB_SECRETARY)
            self.emit(need)

    def withdraw(self, year: int, key: str, reason: str) -> None:
        need = self.plans[year].needs[key]
        if need.status not in (
            NeedStatus.IDENTIFIED,
            NeedStatus.ANALYSED,
            NeedStatus.PRIORITISED,
            NeedStatus.ENDORSED,
            NeedStatus.SCHEDULED,
        ):
            return
        self.check_room()
        need.withdraw(reason=reason, actor=self.plans[year].info[key].unit.planner)
        self.emit(need)

    def deliver(self, year: int, key: str, version: int) -> None:
        plan = self.plans.get(year)
        need = plan.needs[key] if plan else None
        if need is None or need.status is not NeedStatus.SCHEDULED or need.version != version:
            return
        self.check_room()
        learners = need.scheduled_in[-1]["learners"]
        attendance = max(0, round(learners * self.rng.uniform(0.8, 1.0)))
        cost = learners * need.analysis["days_per_learner"] * 95 * self.rng.uniform(0.85, 1.2)
        need.record_delivery(
            attendance=attendance, actual_cost=round(cost, 2), actor=self.rng.choice(LSPU)
        )
        self.emit(need)
        today = self.clock.now.date()
        if self.rng.random() < 0.75:
            day = today + timedelta(days=self.rng.randint(14, 60))
            self.later(self.jitter(day), self.evaluate, year, key, self.rng.randint(1, 2))
            if self.rng.random() < 0.25:
                day += timedelta(days=self.rng.randint(90, 200))
                self.later(self.jitter(day), self.evaluate, year, key, self.rng.randint(3, 4))

    def evaluate(self, year: int, key: str, level: int) -> None:
        plan = self.plans.get(year)
        need = plan.needs.get(key) if plan else None
        if need is None or need.status not in (NeedStatus.DELIVERED, NeedStatus.EVALUATED):
            return
        self.check_room()
        notes = (
            "Reaction survey",
            "Learning assessed",
            "Behaviour observed at work",
            "Results against the performance issue",
        )[level - 1]
        need.evaluate(
            level=level, score=self.rng.randint(40, 98), notes=notes, actor=self.rng.choice(LSPU)
        )
        self.emit(need)

    # --- the cycle: runs, draft, publication ----------------------------------------------------

    def venues(
        self,
        plan: CyclePlan,
        *,
        centres: dict[str, bool] | None = None,
        kept: Iterable[dict[str, Any]] = (),
    ) -> list[Venue]:
        """The venues a run may use, with the room-days already taken in the cycle."""
        first, last = plan.start.toordinal(), plan.end.toordinal()
        found = []
        for facility_id in self.in_service:
            facility = self.facilities.get(facility_id)
            if facility is None or self.closing(facility_id, plan.year):
                continue
            taken: Counter[int] = Counter()
            add_entries(taken, facility.usage, first, last)
            add_entries(
                taken,
                [s for s in facility.sessions if s["cycle_id"] != str(plan.cycle.id)],
                first,
                last,
            )
            for cycle_id, venues in self.tentative.items():
                if cycle_id != str(plan.cycle.id):
                    for day, rooms in venues.get(facility_id, {}).items():
                        taken[day] += rooms
            add_entries(taken, [s for s in kept if s["venue_id"] == facility_id], first, last)
            opened = date.fromisoformat(facility.opened_on or "1990-01-01").toordinal()
            found.append(
                Venue(
                    facility_id,
                    "facility",
                    facility.rooms,
                    facility.capacity,
                    frozenset(facility.features),
                    facility.cost_per_day,
                    max(first, opened),
                    taken,
                    Counter(taken),
                )
            )
        for centre_id, centre in self.centres.items():
            forced = (centres or {}).get(centre.name)
            if forced is False or (forced is None and centre.status is not ProposalStatus.APPROVED):
                continue
            opening = date.fromisoformat(centre.earliest_opening).toordinal()
            if opening > last:
                continue
            taken = Counter()
            add_entries(
                taken,
                [s for s in self.centre_sessions[centre_id] if s["cycle_id"] != str(plan.cycle.id)],
                first,
                last,
            )
            add_entries(taken, [s for s in kept if s["venue_id"] == centre_id], first, last)
            found.append(
                Venue(
                    centre_id,
                    "centre",
                    centre.rooms,
                    centre.capacity,
                    frozenset(centre.features),
                    centre.running_cost_per_day,
                    max(first, opening),
                    taken,
                    Counter(taken),
                )
            )
        return found

    def allocate(
        self,
        plan: CyclePlan,
        run_id: str,
        *,
        budget: float,
        not_before: date,
        kept: list[dict[str, Any]] | None = None,
        centres: dict[str, bool] | None = None,
    ) -> dict[str, Any]:
        """A greedy plan in the optimiser's output shape: mandatory needs first, then by level
        and score; sessions pool the needs of a course (common themes); stops at the budget."""
        rng = random.Random(f"{self.seed}:{plan.year}:{run_id}")
        kept = kept or []
        venues = self.venues(plan, centres=centres, kept=kept)
        by_id = {v.venue_id: v for v in venues}
        sessions = [dict(s) for s in kept]
        placed: Counter[str] = Counter()
        for s in kept:
            for need_id, places in s["needs"].items():
                placed[need_id] += places
        spent = sum(self.session_cost(s, by_id.get(s["venue_id"]), plan) for s in kept)
        courses: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for key, need in plan.needs.items():
            if need.status is NeedStatus.ENDORSED:
                info = plan.info[key]
                courses[(info.course.code, *info.window)].append(key)
        reasons: dict[str, str] = {}
        order = sorted(
            courses, key=lambda c: (LEVEL_RANK[COURSE[c[0]].level], -COURSE[c[0]].score, c)
        )
        out_of_budget = False
        used = {s["session_id"] for s in sessions}  # session ids are unique in a run
        for course_key in order:
            course = COURSE[course_key[0]]
            keys = sorted(courses[course_key], key=lambda k: (-plan.needs[k].priority_score, k))
            remaining = {k: plan.needs[k].analysis["learners"] - placed[k] for k in keys}
            if out_of_budget:
                reasons.update(dict.fromkeys(keys, "budget reached"))
                continue
            low, high = course.size
            suitable = [
                v for v in venues if v.features >= set(course.features) and v.capacity >= low
            ]
            if not suitable:
                reasons.update(dict.fromkeys(keys, "no facility has the features or capacity"))
                continue
            days = math.ceil(course.days)
            window_start = max(date.fromisoformat(course_key[1]), not_before).toordinal()
            window_end = date.fromisoformat(course_key[2]).toordinal()
            total = sum(remaining.values())
            cursor = 0  # the first need with learners left
            while True:
                if total < low:  # too few left for a class
                    for k in keys:
                        if remaining[k] > 0:
                            reasons[k] = "out-ranked by higher priorities"
                    break
                slot = self.find_slot(rng, suitable, days, window_start, window_end)
                if slot is None:
                    for k in keys:
                        if remaining[k] > 0:
                            reasons[k] = "window too narrow for free capacity"
                    break
                venue, dates = slot
                cost = days * (venue.rate + course.trainers * TRAINER_DAY_COST)
                if spent + cost > budget:
                    out_of_budget = True
                    for k in keys:
                        if remaining[k] > 0:
                            reasons[k] = "budget reached"
                    break
                size = min(high, venue.capacity, total)
                needs: dict[str, int] = {}
                learners: dict[str, int] = defaultdict(int)
                while size > 0 and cursor < len(keys):
                    k = keys[cursor]
                    take = min(size, remaining[k])
                    if take > 0:
                        needs[k] = take
                        learners[str(plan.needs[k].group_id)] += take
                        remaining[k] -= take
                        placed[k] += take
                        size -= take
                        total -= take
                    if remaining[k] <= 0:
                        cursor += 1
                spent += cost
                for day in range(dates[0], dates[-1] + 1):
                    venue.taken[day] += 1
                for day in dates:
                    venue.used[day] += 1
                start = date.fromordinal(dates[0]).isoformat()
                number = 1
                while (
                    session_id := f"{course.code}/{days}d@{venue.venue_id}:{start}#{number}"
                ) in used:
                    number += 1
                used.add(session_id)
                sessions.append(
                    {
                        "session_id": session_id,
                        "course_code": course.code,
                        "venue_kind": venue.kind,
                        "venue_id": venue.venue_id,
                        "starts_on": start,
                        "ends_on": date.fromordinal(dates[-1]).isoformat(),
                        "learners": dict(learners),
                        "needs": needs,
                        "pinned": False,
                    }
                )
        return self.result(plan, sessions, venues, placed, reasons, rng, budget)

    @staticmethod
    def find_slot(
        rng: random.Random, venues: list[Venue], days: int, first: int, last: int
    ) -> tuple[Venue, list[int]] | None:
        for _ in range(24):
            venue = venues[rng.randrange(len(venues))]
            lo = max(first, venue.first_day)
            hi = last - days - (days // 5) * 2
            if hi < lo:
                continue
            start = rng.randint(lo, hi)
            while weekday(start) >= 5:
                start += 1
            dates = working_days_from(start, days)
            if dates[-1] > last:
                continue
            if all(venue.taken[d] < venue.rooms for d in range(dates[0], dates[-1] + 1)):
                return venue, dates
        return None

    def session_cost(self, session: dict[str, Any], venue: Venue | None, plan: CyclePlan) -> float:
        first = date.fromisoformat(session["starts_on"]).toordinal()
        last = date.fromisoformat(session["ends_on"]).toordinal()
        days = working_days(first, last)
        course = COURSE[session["course_code"]]
        return days * ((venue.rate if venue else 0) + course.trainers * TRAINER_DAY_COST)

    def result(
        self,
        plan: CyclePlan,
        sessions: list[dict[str, Any]],
        venues: list[Venue],
        placed: Counter[str],
        reasons: dict[str, str],
        rng: random.Random,
        budget: float,
    ) -> dict[str, Any]:
        by_id = {v.venue_id: v for v in venues}
        cost = Counter[str]()
        mandatory = 0
        points = 0.0
        opened = sorted({s["venue_id"] for s in sessions if s["venue_kind"] == "centre"})
        for s in sessions:
            venue = by_id.get(s["venue_id"])
            course = COURSE[s["course_code"]]
            first = date.fromisoformat(s["starts_on"]).toordinal()
            last = date.fromisoformat(s["ends_on"]).toordinal()
            days = working_days(first, last)
            rate = venue.rate if venue else 0.0
            cost["centre_running" if s["venue_kind"] == "centre" else "facility_days"] += round(
                days * rate
            )
            cost["trainer_days"] += days * course.trainers * TRAINER_DAY_COST
            for need_id, places in s["needs"].items():
                need = plan.needs.get(need_id)
                if need is None:
                    continue
                cost["learner_abstraction"] += round(
                    places * course.days * ABSTRACTION_PER_LEARNER_DAY
                )
                if need.is_mandatory:
                    mandatory += places
                level = need.priority_level or "Optional"
                points += (
                    places
                    * course.days
                    * LEVEL_WEIGHT[level]
                    * (1 + (need.priority_score or 0) / 100)
                )
        for centre_id in opened:
            centre = self.centres.get(centre_id)
            if centre is not None and centre.status is not ProposalStatus.APPROVED:
                cost["centre_setup"] += round(centre.setup_cost)
        cash = (
            cost["facility_days"]
            + cost["centre_setup"]
            + cost["centre_running"]
            + cost["trainer_days"]
        )
        objective = 1e9 * mandatory + 1000.0 * points - cash - cost["learner_abstraction"]
        gap = rng.choice((0.0, 0.0, 0.0, 0.0008, 0.003, 0.011))
        outcomes = []
        for key, need in plan.needs.items():
            if need.status not in (NeedStatus.ENDORSED, NeedStatus.SCHEDULED):
                continue
            learners = need.analysis["learners"]
            met = min(learners, placed[key])
            status = "met" if met >= learners else "partly met" if met else "unmet"
            outcomes.append(
                {
                    "need_id": key,
                    "status": status,
                    "learners": learners,
                    "learners_met": met,
                    "reasons": []
                    if status == "met"
                    else [reasons.get(key, "out-ranked by higher priorities")],
                }
            )
        utilisation = []
        for venue in sorted(venues, key=lambda v: v.venue_id):
            weeks: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for day in range(
                max(plan.start.toordinal(), venue.first_day), plan.end.toordinal() + 1
            ):
                day_of_week = weekday(day)
                if day_of_week >= 5:
                    continue
                week = weeks[day - day_of_week]
                week[0] += venue.used[day] * HOURS_PER_ROOM_DAY
                week[1] += max(0, venue.rooms - venue.before[day]) * HOURS_PER_ROOM_DAY
            for monday, (used, available) in sorted(weeks.items()):
                utilisation.append(
                    {
                        "venue_id": venue.venue_id,
                        "week": date.fromordinal(monday).isoformat(),
                        "used_hours": used,
                        "available_hours": available,
                    }
                )
        self.sessions_made += len(sessions)
        return {
            "status": "OPTIMAL" if gap == 0 else "FEASIBLE",
            "objective": objective,
            "bound": objective * (1 + gap),
            "seconds": round(rng.uniform(20, 60), 2),
            "objective_terms": OBJECTIVE_TERMS,
            "sessions": sessions,
            "centres_opened": opened,
            "cost": {
                **{
                    k: int(cost[k])
                    for k in (
                        "facility_days",
                        "centre_setup",
                        "centre_running",
                        "trainer_days",
                        "learner_abstraction",
                    )
                },
                "total": int(cash),
            },
            "utilisation": utilisation,
            "outcomes": outcomes,
            "moves": [],
            "settings": {"budget": budget},
            "gap": gap,
        }

    def run_id(self) -> str:
        return f"{self.rng.getrandbits(48):012x}"

    def settings(self, what_if: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"time_limit": 60.0, "workers": 2, "seed": 0, "what_if": what_if or {}}

    def record(
        self,
        plan: CyclePlan,
        run_id: str,
        settings: dict[str, Any],
        allocation: dict[str, Any],
        draft: bool,
        status: str | None = None,
    ) -> None:
        cycle = plan.cycle
        digest = uuid.UUID(int=self.rng.getrandbits(128)).hex * 2
        self.check_room()
        cycle.record_run(
            run_id=run_id,
            inputs_digest=digest,
            settings=settings,
            status=status or allocation["status"],
            objective=allocation.get("objective"),
            bound=allocation.get("bound"),
            allocation=allocation,
            actor=TMB_SECRETARY,
        )
        self.emit(cycle)
        if draft:
            self.check_room()
            cycle.draft_prospectus(run_id=run_id, actor=TMB_SECRETARY)
            self.emit(cycle)
            self.index_draft(plan)

    def index_draft(self, plan: CyclePlan) -> None:
        venues: dict[str, Counter[int]] = defaultdict(Counter)
        for s in plan.cycle.draft:
            for day in span(s):
                venues[s["venue_id"]][day] += 1
        self.tentative[str(plan.cycle.id)] = venues

    def start(self, plan: CyclePlan, settings: dict[str, Any]) -> str:
        run_id = self.run_id()
        self.check_room()
        plan.cycle.start_run(run_id=run_id, settings=settings, actor=TMB_SECRETARY)
        self.emit(plan.cycle)
        return run_id

    def what_if_run(self, year: int, number: int) -> None:
        plan = self.plans[year]
        options = [
            {
                "name": "budget -10%",
                "centres": {},
                "allowances": {},
                "budget": int(plan.cycle.budget * 0.9),
            }
        ]
        for centre in self.centres.values():
            if centre.status in (ProposalStatus.APPROVED, ProposalStatus.COSTED):
                opened = centre.status is not ProposalStatus.APPROVED
                options.append(
                    {
                        "name": f"{'open' if opened else 'close'} {centre.name}",
                        "centres": {centre.name: opened},
                        "allowances": {},
                        "budget": None,
                    }
                )
        what_if = options[(number + year) % len(options)]
        settings = self.settings(what_if)
        run_id = self.start(plan, settings)
        allocation = self.allocate(
            plan,
            run_id,
            budget=what_if["budget"] or plan.cycle.budget,
            not_before=plan.start,
            centres=what_if["centres"],
        )
        self.clock.advance_to(self.clock.now + timedelta(seconds=allocation["seconds"]))
        self.record(plan, run_id, settings, allocation, draft=False)

    def interrupted_run(self, year: int) -> None:
        plan = self.plans[year]
        run_id = self.start(plan, self.settings())
        self.later(self.clock.now + timedelta(hours=2), self.interrupt, year, run_id)

    def interrupt(self, year: int, run_id: str) -> None:
        self.check_room()
        cycle = self.plans[year].cycle
        cycle.mark_run_interrupted(
            run_id=run_id, actor=SYSTEM, reason="The server stopped before the run finished"
        )
        self.emit(cycle)

    def failed_run(self, year: int) -> None:
        plan = self.plans[year]
        settings = self.settings()
        run_id = self.start(plan, settings)
        self.clock.advance_to(self.clock.now + timedelta(seconds=3))
        failure = {"sessions": [], "error": "the solver worker ran out of memory"}
        self.record(plan, run_id, settings, failure, draft=False, status="FAILED")

    def main_run(self, year: int) -> None:
        plan = self.plans[year]
        settings = self.settings()
        run_id = self.start(plan, settings)
        allocation = self.allocate(plan, run_id, budget=plan.cycle.budget, not_before=plan.start)
        self.clock.advance_to(self.clock.now + timedelta(seconds=allocation["seconds"]))
        self.record(plan, run_id, settings, allocation, draft=bool(allocation["sessions"]))
        if not allocation["sessions"]:
            return
        day = date(year, 3, 15)
        amendments = max(3, len(plan.cycle.draft) // 150)
        for n in range(amendments):
            self.later(self.jitter(day + timedelta(days=n % 6)), self.amend, year)
        for n in range(max(2, len(plan.cycle.draft) // 250)):
            self.later(self.jitter(day + timedelta(days=n % 6)), self.pin, year)
        self.later(at(date(year, 3, 25), 16), self.publish, year, 1)

    def replan_run(self, year: int) -> None:
        """Re-planning after in-year needs: the published sessions stay (pinned), needs
        withdrawn since are taken out of them, new sessions start after edition 2."""
        plan = self.plans.get(year)
        if plan is None or not plan.cycle.published:
            return
        valid = {
            k
            for k, n in plan.needs.items()
            if n.status in (NeedStatus.ENDORSED, NeedStatus.SCHEDULED)
        }
        kept = []
        for session in plan.cycle.draft:
            needs = {k: p for k, p in session["needs"].items() if k in valid}
            if not needs:
                continue
            learners: dict[str, int] = defaultdict(int)
            for k, places in needs.items():
                learners[str(plan.needs[k].group_id)] += places
            kept.append({**session, "needs": needs, "learners": dict(learners), "pinned": True})
        settings = self.settings()
        run_id = self.start(plan, settings)
        allocation = self.allocate(
            plan, run_id, budget=plan.cycle.budget, not_before=date(year, 5, 20), kept=kept
        )
        self.clock.advance_to(self.clock.now + timedelta(seconds=allocation["seconds"]))
        self.record(plan, run_id, settings, allocation, draft=bool(allocation["sessions"]))
        if allocation["sessions"]:
            self.later(self.jitter(date(year, 4, 24)), self.amend, year)
            self.later(at(plan.edition_two, 16), self.publish, year, 2)

    def amend(self, year: int) -> None:
        """A planner moves an unpinned session to other dates at the same venue."""
        plan = self.plans[year]
        cycle = plan.cycle
        movable = [
            s
            for s in cycle.draft
            if not s["pinned"]
            and s["venue_kind"] == "facility"
            and s["venue_id"] in self.facilities
        ]
        if not movable:
            return
        session = movable[self.rng.randrange(len(movable))]
        first, last = span(session)[0], span(session)[-1]
        days = working_days(first, last)
        facility = self.facilities[session["venue_id"]]
        lo = plan.start.toordinal()
        hi = plan.end.toordinal()
        taken = self.load(session["venue_id"], lo, hi)
        for day in range(first, last + 1):
            taken[day] -= 1
        needs = [plan.info[k] for k in session["needs"] if k in plan.info]
        w_lo = max([date.fromisoformat(i.window[0]).toordinal() for i in needs] + [lo])
        w_hi = min([date.fromisoformat(i.window[1]).toordinal() for i in needs] + [hi])
        if cycle.published:
            w_lo = max(w_lo, date(year, 5, 20).toordinal())
        for _ in range(12):
            start = self.rng.randint(w_lo, max(w_lo, w_hi - days - 4))
            while weekday(start) >= 5:
                start += 1
            dates = working_days_from(start, days)
            if dates[-1] <= w_hi and all(
                taken[d] < facility.rooms for d in range(dates[0], dates[-1] + 1)
            ):
                break
        else:
            return
        if dates[0] == first:
            return
        self.check_room()
        cycle.amend_session(
            session_id=session["session_id"],
            starts_on=date.fromordinal(dates[0]),
            ends_on=date.fromordinal(dates[-1]),
            actor=self.site_planner(facility),
            reason=self.rng.choice(
                (
                    "Trainer unavailable that week",
                    "Clashes with a borough operation",
                    "Moved at the venue's request",
                )
            ),
        )
        self.emit(cycle)
        self.index_draft(plan)

    def pin(self, year: int) -> None:
        cycle = self.plans[year].cycle
        if not cycle.draft:
            return
        session = cycle.draft[self.rng.randrange(len(cycle.draft))]
        self.check_room()
        cycle.pin_session(
            session_id=session["session_id"],
            pinned=not session["pinned"],
            reason="Trainers and venue agreed with the course provider",
            actor=TMB_SECRETARY,
        )
        self.emit(cycle)

    def publish(self, year: int, edition: int) -> None:
        """TrainingPlanner.publish_prospectus, with the aggregates in memory: the cycle, then
        every facility confirming its sessions, then every need scheduled, in one write."""
        plan = self.plans[year]
        cycle = plan.cycle
        if not cycle.draft:
            return
        facilities_touched = {
            s["venue_id"] for s in cycle.published + cycle.draft if s["venue_kind"] == "facility"
        }
        needs_touched = {k for s in cycle.draft for k, p in s["needs"].items() if p}
        if not self.check_room(1 + len(facilities_touched) + len(needs_touched)):
            self.skipped_publications += 1
            return
        actor = TMB_CHAIR
        by_facility: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for session in cycle.published:
            if session["venue_kind"] == "facility":
                by_facility[session["venue_id"]] = []
        cycle.publish_prospectus(
            reason=f"Prospectus for {cycle.name}, edition {edition}", actor=actor
        )
        by_need: dict[str, tuple[list[str], int]] = defaultdict(lambda: ([], 0))
        by_centre: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for session in cycle.published:
            if session["venue_kind"] == "facility":
                by_facility[session["venue_id"]].append(session)
            else:
                centre = self.centres[session["venue_id"]]
                assert centre.status is ProposalStatus.APPROVED
                assert session["starts_on"] >= centre.earliest_opening
                by_centre[session["venue_id"]].append(session)
            for need_id, places in session["needs"].items():
                if places:
                    sessions, learners = by_need[need_id]
                    by_need[need_id] = ([*sessions, session["session_id"]], learners + places)
        facilities = []
        for facility_id, sessions in sorted(by_facility.items()):
            facility = self.facilities[facility_id]
            facility.confirm_sessions(cycle_id=cycle.id, sessions=sessions, actor=actor)
            facilities.append(facility)
        needs = []
        for need_id, (sessions, learners) in sorted(by_need.items()):
            need = plan.needs[need_id]
            assert need.status in (NeedStatus.ENDORSED, NeedStatus.SCHEDULED), need.status
            need.schedule(cycle_id=cycle.id, sessions=sessions, learners=learners, actor=actor)
            needs.append(need)
        self.emit(cycle, *facilities, *needs)
        for centre_id in self.centres:
            kept = [s for s in self.centre_sessions[centre_id] if s["cycle_id"] != str(cycle.id)]
            self.centre_sessions[centre_id] = kept + [
                {**s, "cycle_id": str(cycle.id), "rooms": 1} for s in by_centre[centre_id]
            ]
        self.index_draft(plan)
        # What follows: withdrawals, deliveries, evaluations.
        last_day: dict[str, str] = {}
        for session in cycle.published:
            for need_id in session["needs"]:
                last_day[need_id] = max(last_day.get(need_id, ""), session["ends_on"])
        final = edition == 2
        after = (plan.edition_two or date(year, 3, 26)) + timedelta(days=1)
        for need in needs:
            key = str(need.id)
            ends = date.fromisoformat(last_day[key])
            deliver_on = max(ends + timedelta(days=self.rng.randint(2, 30)), after)
            if self.rng.random() < 0.015:
                if final:
                    day = self.some_day(after, max(after, deliver_on - timedelta(days=1)))
                else:
                    day = self.some_day(date(year, 3, 26), date(year, 4, 14))
                self.later(
                    self.jitter(day), self.withdraw, year, key, self.rng.choice(REASONS_WITHDRAWN)
                )
            if self.rng.random() < 0.92:
                self.later(self.jitter(deliver_on), self.deliver, year, key, need.version)

    def change_budget(self, year: int) -> None:
        cycle = self.plans[year].cycle
        if cycle.status.value == "closed":
            return
        self.check_room()
        cycle.change_budget(
            budget=round(cycle.budget * 0.96, -3),
            actor=TMB_CHAIR,
            reason="In-year budget reduction agreed by the Management Board",
        )
        self.emit(cycle)

    def close_cycle(self, year: int) -> None:
        plan = self.plans.get(year)
        if plan is None:
            return
        self.check_room()
        plan.cycle.close(reason=f"{plan.cycle.name} delivered and evaluated", actor=TMB_CHAIR)
        self.emit(plan.cycle)
        self.tentative.pop(str(plan.cycle.id), None)
        # The cycle's needs stay for their last deliveries and evaluations (queued commands
        # hold what they need); the plan itself is no longer needed for new runs.
        for stale in [y for y in self.plans if y < year - 1]:
            del self.plans[stale]

    def summary(self) -> dict[str, Any]:
        return {
            "events": self.saved,
            "first_event_at": at(date(FIRST_CYCLE - 1, 9, 1), 8).isoformat(),
            "last_event_at": self.clock.now.isoformat(),
            "cycles": self.cycles_opened,
            "sessions_planned": self.sessions_made,
            "skipped_publications": self.skipped_publications,
            "event_types": dict(sorted(self.kinds.items())),
        }


# --- the database and its marker ------------------------------------------------------------


MARKER_TABLE = "bench_history"


def _pg_connect(url: str, dbname: str | None = None) -> Any:
    import psycopg

    env = store_env(url)
    return psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        dbname=dbname or env["POSTGRES_DBNAME"],
        autocommit=True,
    )


def read_marker(url: str) -> dict[str, Any] | None:
    if is_postgres(url):
        try:
            with _pg_connect(url) as conn:
                row = conn.execute(
                    f"SELECT value FROM {MARKER_TABLE} WHERE key = 'history'"
                ).fetchone()
        except Exception:
            return None
    else:
        path = Path(sqlite_path(url))
        if not path.exists():
            return None
        with sqlite3.connect(path) as conn:
            try:
                row = conn.execute(
                    f"SELECT value FROM {MARKER_TABLE} WHERE key = 'history'"
                ).fetchone()
            except sqlite3.OperationalError:
                return None
    return json.loads(row[0]) if row else None


def write_marker(url: str, marker: dict[str, Any]) -> None:
    create = f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key TEXT PRIMARY KEY, value TEXT)"
    if is_postgres(url):
        with _pg_connect(url) as conn:
            conn.execute(create)
            conn.execute(f"DELETE FROM {MARKER_TABLE} WHERE key = 'history'")
            conn.execute(
                f"INSERT INTO {MARKER_TABLE} VALUES ('history', %s)", (json.dumps(marker),)
            )
    else:
        with sqlite3.connect(sqlite_path(url)) as conn:
            conn.execute(create)
            conn.execute(
                f"INSERT OR REPLACE INTO {MARKER_TABLE} VALUES ('history', ?)",
                (json.dumps(marker),),
            )


def event_count(url: str) -> int:
    if not is_postgres(url) and not Path(sqlite_path(url)).exists():
        return 0
    if is_postgres(url):
        try:
            _pg_connect(url).close()
        except Exception:
            return 0
    app = TrainingPlanner(env=store_env(url))
    try:
        return int(app.recorder.max_notification_id() or 0)  # type: ignore[attr-defined]
    finally:
        app.close()


def wipe(url: str) -> None:
    """Removes the database at `url` (a SQLite file and its views file beside it; a PostgreSQL
    database is dropped and created empty)."""
    if is_postgres(url):
        name = store_env(url)["POSTGRES_DBNAME"]
        with _pg_connect(url, "postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return
    path = Path(sqlite_path(url))
    for stem in (path, path.with_name(path.stem + "-views.db")):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{stem}{suffix}").unlink(missing_ok=True)
        for lock in path.parent.glob(f"{path.stem}-views.db.*.lock"):
            lock.unlink(missing_ok=True)


def ensure_database(url: str) -> None:
    if not is_postgres(url):
        return
    name = store_env(url)["POSTGRES_DBNAME"]
    with _pg_connect(url, "postgres") as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def wanted_marker(events: int, seed: int) -> dict[str, Any]:
    return {"generator": GENERATOR, "events": events, "seed": seed}


def ensure_history(
    url: str,
    events: int,
    seed: int = 1,
    *,
    batch: int = 5000,
    replace: bool = False,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The history of `events` events for `seed` at `url`: reused if the database already
    holds it (its marker and its event count agree), else made. A database holding anything
    else is replaced only if `replace`."""
    ensure_database(url)
    marker = read_marker(url)
    wanted = wanted_marker(events, seed)
    stored = event_count(url)
    if marker and {k: marker.get(k) for k in wanted} == wanted and stored == events:
        say(f"reusing the history of {events:,} events (seed {seed}) at {redact(url)}")
        return marker
    if stored or marker:
        if not replace:
            raise SystemExit(
                f"{redact(url)} holds {stored:,} events that are not the requested history "
                f"({events:,} events, seed {seed}); pass --replace to remake it"
            )
        say(f"removing the history at {redact(url)} ({stored:,} events, marker {marker})")
        wipe(url)
    say(f"making a history of {events:,} events (seed {seed}) at {redact(url)}")
    planner = TrainingPlanner(env=store_env(url))
    history = History(planner, events, seed, batch=batch, progress=say)
    started = time.perf_counter()
    try:
        with simulated(history.clock, history.ids):
            history.run()
    finally:
        planner.close()
    elapsed = time.perf_counter() - started
    summary = history.summary()
    marker = {
        **wanted,
        "made_in_seconds": round(elapsed, 1),
        "events_per_second": round(events / elapsed),
        **summary,
    }
    write_marker(url, marker)
    say(
        f"made {events:,} events in {elapsed:,.1f} s: {events / elapsed:,.0f} events/s "
        f"(simulated {summary['last_event_at'][:10]})"
    )
    return marker


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True, help="how many events")
    parser.add_argument(
        "--database",
        required=True,
        help="sqlite:////path/file.db or postgresql+psycopg://USER@HOST:PORT/DB",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5000, help="events per transaction")
    parser.add_argument(
        "--replace", action="store_true", help="remake the database if it holds another history"
    )
    args = parser.parse_args(argv)
    if args.events < 100:
        parser.error("--events: at least 100")
    marker = ensure_history(
        args.database, args.events, args.seed, batch=args.batch, replace=args.replace
    )
    types = marker.get("event_types", {})
    width = max((len(k) for k in types), default=10)
    for kind, count in sorted(types.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<{width}}  {count:>9,}  {100 * count / marker['events']:5.1f} %")
    print(json.dumps({k: v for k, v in marker.items() if k != "event_types"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
