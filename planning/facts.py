"""What a course, a site and a session are, as every part of planning reads them.

The solver's rules, the greedy baseline, the validator, the reports and the diagnosis of
reasons all read a problem through these plain functions, so that they read the rules the
same way. Nothing here knows of a solver.

Start-day grid (so that the model counts sessions instead of placing each one):
1-day courses start on any working day; 2-day courses on Mondays and Wednesdays; 3- and 4-day
courses on Mondays and Tuesdays; courses of 5 days or more on Mondays.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain import costing
from domain.calendar import add_working_days, monday_of
from planning.model import LEVELS, Need, PlanningProblem, Session, Venue

FACILITY = "facility"
CENTRE = "centre"
ONLINE = "online"  # e-learning: no venue, no room (planning.rules.delivery_mode)
ONLINE_ID = "e-learning"
HOURS_PER_ROOM_DAY = 8.0
ALLOWANCE_SCALE = 100  # allowance hours are compared in hundredths of an hour

# The objective (planning.rules.objective states it to the solver, planning.validator computes
# it from concrete sessions): stages solved one after the other, each holding the ones before.
PRIORITY_POUNDS = 1000.0  # kept for the composite of planning.validator.objective_value
MANDATORY_WEIGHT = 1e9  # ditto: never shown to a planner
SHARE_SCALE = 10_000  # the fair-share stage counts coverage in hundredths of a per cent
OBJECTIVE_TERMS = (
    "lexicographic, one stage after another, each holding what the stages before it reached: "
    "1. mandated learners trained (learners); 2. fair share: the lowest coverage of any "
    "group's mandated need, learners trained over learners demanded (per cent); "
    "3. priority-weighted learner-days (learners x days x level weight x (1 + score/100)); "
    "4. cost in pounds: cash (facility room-days, centre set-up and running, trainer-days) "
    "plus learner abstraction plus move_penalty per moved published session, minimised."
)

CourseKey = tuple[str, int]  # course code, session days
SiteKey = tuple[str, str]  # kind, site id


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
    online: bool = False  # e-learning: its runs take no room
    discipline: str = ""  # of its trainers ("": no pool limits them)

    @property
    def key(self) -> CourseKey:
        return (self.code, self.days)

    @property
    def learners(self) -> int:
        return sum(n.learners for n in self.needs)


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
    def key(self) -> SiteKey:
        return (self.kind, self.site_id)


def courses(problem: PlanningProblem) -> list[Course]:
    grouped: dict[CourseKey, list[Need]] = defaultdict(list)
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
            online=any(n.online for n in needs),
            discipline=next((n.discipline for n in needs if n.discipline), ""),
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
    online = {(n.course_code, n.session_days) for n in problem.needs if n.online}
    if online:  # one run of each e-learning course a start day at most: as many "rooms"
        learners = sum(n.learners for n in problem.needs if n.online)
        out.append(Site(ONLINE, ONLINE_ID, max(1, learners), len(online), frozenset(), 0,
                        dict.fromkeys(days, len(online))))  # fmt: skip
    return out


def suitable(course: Course, site: Site) -> bool:
    """Delivery mode, features and capacity: an e-learning course runs online only, any other
    in a room of a site that has every feature it needs and seats for a minimum class."""
    if course.online or site.kind == ONLINE:
        return course.online and site.kind == ONLINE
    return course.features <= site.features and site.capacity >= max(1, course.class_min)


def seats(course: Course, site: Site) -> int:
    """Places in one session: a room's class, or every learner of an e-learning course."""
    if site.kind == ONLINE:
        return max(1, course.learners)
    return min(course.class_max, site.capacity)


def opens_in_time(site: Site, start: date) -> bool:
    """A session may start at the site that day: a centre only from its earliest opening."""
    return not (site.kind == CENTRE and site.earliest and start < site.earliest)


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


def discipline_of(problem: PlanningProblem, course_code: str) -> str:
    """The discipline of a course's trainers ("" when no pool limits them)."""
    return next((n.discipline for n in problem.needs
                 if n.course_code == course_code and n.discipline), "")  # fmt: skip


def trainers_available(problem: PlanningProblem) -> dict[str, dict[date, int]]:
    """Per discipline that has pools, the trainers at work each working day of the cycle (the
    pools' trainers less those away)."""
    out: dict[str, dict[date, int]] = {}
    for pool in problem.pools:
        days = out.setdefault(pool.discipline, dict.fromkeys(problem.days, 0))
        for day in days:
            days[day] += pool.available(day)
    return out


def trainers_used(
    problem: PlanningProblem, sessions: Iterable[Session]
) -> dict[tuple[str, date], int]:
    """Trainers at work per discipline and day in `sessions` (each session takes its course's
    trainers on each of its days)."""
    used: dict[tuple[str, date], int] = defaultdict(int)
    for s in sessions:
        discipline = discipline_of(problem, s.course_code)
        if discipline:
            for day in s.dates:
                used[(discipline, day)] += trainers_for(problem, s.course_code)
    return dict(used)


def priority_per_learner(problem: PlanningProblem, need: Need) -> float:
    """Priority points of one learner of this need: weighted learner-days."""
    weight = problem.weights.level.get(need.level, 0.0)
    return need.days * weight * (1.0 + need.score / 100.0)


def abstraction_per_learner(problem: PlanningProblem, need: Need) -> float:
    """Learner abstraction of one learner of this need: their days away from duty, costed."""
    return costing.abstraction(need.days, problem.weights.abstraction_cost_per_learner_day)


def allowance_units(problem: PlanningProblem, need: Need) -> int:
    """Hundredths of an hour of allowance one learner of this need uses."""
    return round(need.days * problem.weights.hours_per_day * ALLOWANCE_SCALE)


def allowance_limit(hours: float) -> int:
    return math.floor(hours * ALLOWANCE_SCALE + 1e-6)


def running_days(problem: PlanningProblem, venue: Venue) -> int:
    """Calendar days of the cycle the venue is open (from its opening, before its closing)."""
    first = max(problem.starts_on, venue.opened_on or problem.starts_on)
    last = problem.ends_on
    if venue.closed_on is not None:
        last = min(last, venue.closed_on - timedelta(days=1))
    return max(0, (last - first).days + 1)


def venue_running(problem: PlanningProblem) -> int:
    """The venues' fixed running costs for the cycle: each venue's cost a year for the days
    it is open, a year at most (revenue cash, whether its rooms are used or not; a venue a
    what-if closes costs nothing)."""
    return sum(
        round(v.running_cost_per_year * min(365, running_days(problem, v)) / 365)
        for v in problem.venues
        if v.running_cost_per_year
    )


def session_cash(
    problem: PlanningProblem, site_cost_per_day: int, length: int, trainers: int
) -> int:
    """Cash cost of one session: its room-days plus its trainer-days (domain.costing)."""
    return costing.session_cash(
        length, site_cost_per_day, trainers, problem.weights.trainer_day_cost
    )


def weeks_of(start: date, length: int) -> set[date]:
    """The weeks (their Mondays) a session of `length` working days from `start` touches."""
    return {monday_of(d) for d in add_working_days(start, length)}


def pinned_away(problem: PlanningProblem) -> dict[tuple[str, date], int]:
    """Learners of each group away in each week (Monday) in the pinned sessions."""
    group_of = {n.need_id: n.group_id for n in problem.needs}
    away: dict[tuple[str, date], int] = defaultdict(int)
    for s in problem.previous:
        if s.pinned:
            for week in weeks_of(s.starts_on, s.days):
                for need_id, count in s.needs.items():
                    if need_id in group_of:
                        away[(group_of[need_id], week)] += count
    return dict(away)


def pinned_usage(problem: PlanningProblem) -> dict[SiteKey, dict[date, int]]:
    usage: dict[SiteKey, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for s in problem.previous:
        if s.pinned:
            for d in s.dates:
                usage[(s.venue_kind, s.venue_id)][d] += 1
    return usage


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


def session_key(s: Session) -> tuple[str, str, str, date, int]:
    return (s.course_code, s.venue_kind, s.venue_id, s.starts_on, s.days)


@dataclass
class PlanFacts:
    """A problem as the rules read it: its courses and sites, the rooms its pinned sessions
    take and the places they give. The solver's variable container (planning.rules.PlanVars)
    builds on it; the greedy baseline and the diagnosis read it alone."""

    problem: PlanningProblem
    courses: list[Course] = field(init=False)
    sites: list[Site] = field(init=False)
    pinned: dict[SiteKey, dict[date, int]] = field(init=False)  # rooms pinned sessions take
    pinned_met: dict[str, int] = field(init=False)  # places pinned sessions give each need

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

    def course(self, key: CourseKey) -> Course:
        return self._course[key]

    def course_of(self, need_id: str) -> Course:
        return self._need_course[need_id]

    def site(self, key: SiteKey) -> Site:
        return self._site[key]

    def free(self, site: Site, day: date) -> int:
        """Rooms of the site free that day, pinned sessions taken off."""
        return max(0, site.free.get(day, 0) - self.pinned.get(site.key, {}).get(day, 0))

    def remaining(self, need: Need) -> int:
        """Learners of the need its pinned sessions do not already train."""
        return max(0, need.learners - self.pinned_met.get(need.need_id, 0))

    def pinned_cash(self) -> int:
        """Cash cost of the pinned sessions (their sites' room-days and trainer-days)."""
        total = 0
        for s in self.problem.previous:
            if s.pinned:
                site = self.site((s.venue_kind, s.venue_id))
                trainers = trainers_for(self.problem, s.course_code)
                total += session_cash(self.problem, site.cost_per_day, s.days, trainers)
        return total


def placeable(facts: PlanFacts, need: Need) -> bool:
    """Some suitable site has a room free on every day of a grid start inside the need's
    window (pinned sessions taken off)."""
    course = facts.course_of(need.need_id)
    fitting = [site for site in facts.sites if suitable(course, site)]
    for start in start_days(facts.problem, course.days):
        if not inside(need, start, course.days):
            continue
        dates = add_working_days(start, course.days)
        if any(opens_in_time(s, start) and all(facts.free(s, d) > 0 for d in dates)
               for s in fitting):  # fmt: skip
            return True
    return False


def fair_share_needs(facts: PlanFacts) -> dict[str, int]:
    """The needs whose coverage the fair-share stage balances, with their learners: every
    mandated need with learners that some site could take in its window. A need no site or
    window can take at all is left out (capacity forbids it), or it would hold every other
    group's share at nought."""
    return {
        n.need_id: n.learners
        for n in facts.problem.needs
        if n.mandatory and n.learners > 0 and placeable(facts, n)
    }
