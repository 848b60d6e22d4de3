"""The planning model's business rules, one module each, over one variable container.

`PlanVars` holds the CP-SAT model and its named variables; each rule module has an
`add(v: PlanVars)` that adds its constraints and returns its objective terms (a dict of named
linear expressions, possibly empty). The facts the rules share (courses, sites, the start-day
grid, the cost of a session) are plain functions here, used by the solver, the baseline and the
validator alike so that all three read the rules the same way.

Start-day grid (so that the model counts sessions instead of placing each one):
1-day courses start on any working day; 2-day courses on Mondays and Wednesdays; 3- and 4-day
courses on Mondays and Tuesdays; courses of 5 days or more on Mondays.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from planning.model import (
    LEVELS,
    Need,
    PlanningProblem,
    Session,
    add_working_days,
)

FACILITY = "facility"
CENTRE = "centre"
HOURS_PER_ROOM_DAY = 8.0
ALLOWANCE_SCALE = 100  # allowance hours are compared in hundredths of an hour


@dataclass(frozen=True)
class Course:
    """Needs sharing a course code and session length: their sessions pool learners."""

    code: str
    days: int
    needs: tuple[Need, ...]
    class_min: int
    class_max: int
    trainers: int
    features: frozenset[str]

    @property
    def key(self) -> tuple[str, int]:
        return (self.code, self.days)


@dataclass(frozen=True)
class Site:
    """A facility or a candidate centre, seen the same way by the rules."""

    kind: str
    site_id: str
    capacity: int
    rooms: int
    features: frozenset[str]
    cost_per_day: int  # facility room-day cost or centre running cost per room-day
    free: dict[date, int]  # rooms free per working day of the cycle (before pinned sessions)
    earliest: date | None = None
    setup_cost: int = 0
    forced: bool | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.site_id)


def courses(problem: PlanningProblem) -> list[Course]:
    grouped: dict[tuple[str, int], list[Need]] = defaultdict(list)
    for need in problem.needs:
        grouped[(need.course_code, need.session_days)].append(need)
    return [
        Course(
            code=code,
            days=days,
            needs=tuple(needs),
            class_min=max(n.class_min for n in needs),
            class_max=min(n.class_max for n in needs),
            trainers=max(n.trainers for n in needs),
            features=frozenset().union(*(n.features for n in needs)),
        )
        for (code, days), needs in sorted(grouped.items())
    ]


def sites(problem: PlanningProblem) -> list[Site]:
    days = problem.days
    out = [
        Site(
            FACILITY,
            v.venue_id,
            v.capacity,
            v.rooms,
            v.features,
            v.cost_per_day,
            {d: v.free_rooms(d) for d in days},
        )
        for v in problem.venues
    ]
    out += [
        Site(
            CENTRE,
            c.centre_id,
            c.capacity,
            c.rooms,
            c.features,
            c.running_cost_per_day,
            {d: (c.rooms if d >= c.earliest_opening else 0) for d in days},
            earliest=c.earliest_opening,
            setup_cost=c.setup_cost,
            forced=c.forced,
        )
        for c in problem.centres
    ]
    return out


def suitable(course: Course, site: Site) -> bool:
    """Features and capacity: the site has every feature and seats for a minimum class."""
    return course.features <= site.features and site.capacity >= max(1, course.class_min)


def seats(course: Course, site: Site) -> int:
    return min(course.class_max, site.capacity)


def on_grid(day: date, length: int) -> bool:
    weekday = day.weekday()
    if length == 1:
        return weekday < 5
    if length == 2:
        return weekday in (0, 2)
    if length <= 4:
        return weekday in (0, 1)
    return weekday == 0


def start_days(problem: PlanningProblem, length: int) -> list[date]:
    """Grid start days whose whole session lies inside the cycle."""
    return [
        d
        for d in problem.days
        if on_grid(d, length) and add_working_days(d, length)[-1] <= problem.ends_on
    ]


def inside(need: Need, start: date, length: int) -> bool:
    return start >= need.window_start and add_working_days(start, length)[-1] <= need.window_end


def trainers_for(problem: PlanningProblem, course_code: str) -> int:
    found = [n.trainers for n in problem.needs if n.course_code == course_code]
    return max(found) if found else 1


def priority_per_learner(problem: PlanningProblem, need: Need) -> float:
    """Priority points of one learner of this need: weighted learner-days."""
    weight = problem.weights.level.get(need.level, 0.0)
    return need.days * weight * (1.0 + need.score / 100.0)


def allowance_units(problem: PlanningProblem, need: Need) -> int:
    """Hundredths of an hour of allowance one learner of this need uses."""
    return round(need.days * problem.weights.hours_per_day * ALLOWANCE_SCALE)


def allowance_limit(hours: float) -> int:
    return math.floor(hours * ALLOWANCE_SCALE + 1e-6)


def session_cash(problem: PlanningProblem, site_cost_per_day: int, length: int, trainers: int):
    """Cash cost of one session: its room-days plus its trainer-days."""
    return length * (site_cost_per_day + trainers * problem.weights.trainer_day_cost)


def pinned_usage(problem: PlanningProblem) -> dict[tuple[str, str], dict[date, int]]:
    usage: dict[tuple[str, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for s in problem.previous:
        if s.pinned:
            for d in s.dates:
                usage[(s.venue_kind, s.venue_id)][d] += 1
    return usage


@dataclass
class PlanVars:
    """The CP-SAT model and its named variables.

    n[(course key, site key, start)]  sessions of the course starting that day at that site
    y[(need id, start)]               learners of the need trained by sessions starting that day
    opened[centre id]                 the candidate centre opens
    kept[previous session id]         an unpinned published session stays where it was
    """

    problem: PlanningProblem
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    courses: list[Course] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    n: dict[tuple[tuple[str, int], tuple[str, str], date], Any] = field(default_factory=dict)
    n_ub: dict[tuple[tuple[str, int], tuple[str, str], date], int] = field(default_factory=dict)
    y: dict[tuple[str, date], Any] = field(default_factory=dict)
    opened: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)
    pinned: dict[tuple[str, str], dict[date, int]] = field(default_factory=dict)
    pinned_met: dict[str, int] = field(default_factory=dict)
    guards: dict[str, Any] = field(default_factory=dict)  # rule name -> enforcement literal

    def __post_init__(self) -> None:
        self.courses = courses(self.problem)
        self.sites = sites(self.problem)
        self.pinned = pinned_usage(self.problem)
        met: dict[str, int] = defaultdict(int)
        for s in self.problem.previous:
            if s.pinned:
                for need_id, count in s.needs.items():
                    met[need_id] += count
        self.pinned_met = dict(met)
        self._course = {c.key: c for c in self.courses}
        self._need_course = {n.need_id: c for c in self.courses for n in c.needs}
        self._site = {s.key: s for s in self.sites}

    # --- queries ------------------------------------------------------------------------------
    def course(self, key: tuple[str, int]) -> Course:
        return self._course[key]

    def course_of(self, need_id: str) -> Course:
        return self._need_course[need_id]

    def site(self, key: tuple[str, str]) -> Site:
        return self._site[key]

    def free(self, site: Site, day: date) -> int:
        return max(0, site.free.get(day, 0) - self.pinned.get(site.key, {}).get(day, 0))

    def remaining(self, need: Need) -> int:
        return max(0, need.learners - self.pinned_met.get(need.need_id, 0))

    def trained(self, need: Need):
        """Learners of the need trained by the plan (pinned ones included)."""
        return sum(self.y_by_need.get(need.need_id, [])) + self.pinned_met.get(need.need_id, 0)

    def guard(self, name: str):
        """The enforcement literal of a rule (for diagnosis), or None when always enforced."""
        return self.guards.get(name)

    def index(self) -> None:
        """Build the lookup tables the rules use once the variables exist."""
        self.by_course_start: dict[tuple, list] = defaultdict(list)
        for (ck, sk, s), var in self.n.items():
            self.by_course_start[(ck, s)].append((sk, var))
        self.y_by_need: dict[str, list] = defaultdict(list)
        self.y_by_course_start: dict[tuple, list] = defaultdict(list)
        for (nid, s), var in self.y.items():
            self.y_by_need[nid].append(var)
            self.y_by_course_start[(self._need_course[nid].key, s)].append(var)


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def session_key(s: Session) -> tuple:
    return (s.course_code, s.venue_kind, s.venue_id, s.starts_on, s.days)
