"""A quick greedy allocation for the history's optimisation runs, in the optimiser's output shape.

The history records some 4 runs a cycle, each over the cycle's 4,000-6,000 endorsed needs and
80-odd venues. The product's greedy baseline (`planning.baseline.greedy`) takes 14-27 s a run
at that size (measured: 40-60 times this allocator), and it places sessions first-fit from the
first day of the cycle, where a real plan spreads them over the year. So the runs here are
made by a small randomised greedy: mandatory needs first, then by level and score; sessions
pool the needs of a course (common themes) at a random free slot of a suitable venue; it stops
at the budget. What it records is in the shape `planning.model.PlanningResult.to_dict()` gives
(sessions, cost, utilisation per venue and week, every need's outcome with reasons), costed by
`domain.costing` at the cycle's rates, so the cycle events are as large as real ones."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bench.force.courses import COURSE
from bench.force.estate import Estate, RoomDays, add_entries
from bench.force.plans import CyclePlan, analysis
from domain import NeedStatus, ProposalStatus
from domain.calendar import add_working_days, is_working_day, monday_of, working_days
from domain.costing import Rates, abstraction, room_days, session_cash, trainer_days
from planning.facts import HOURS_PER_ROOM_DAY, OBJECTIVE_TERMS
from planning.model import (
    LEVELS,
    CostBreakdown,
    NeedOutcome,
    PlanningResult,
    Reason,
    Session,
    StageOutcome,
    Utilisation,
    Weights,
)
from planning.model import NeedStatus as Met
from planning.report import session_id

SLOT_TRIES = 24  # random slots tried for a session before the course is given up
FRIDAY, WEEK = timedelta(days=4), timedelta(days=7)  # from a Monday
# What a run records, in the optimiser's order (the keys of PlanningResult.to_dict()).
RUN_KEYS = list(PlanningResult("", None, None, 0.0, "").to_dict())


@dataclass
class Venue:
    """A venue as the allocation sees it: its rooms and the room-days already taken."""

    venue_id: str
    kind: str  # facility | centre
    rooms: int
    capacity: int
    features: frozenset[str]
    rate: float
    first_day: int
    taken: RoomDays
    before: RoomDays  # taken before this allocation (for utilisation)
    used: RoomDays = field(default_factory=Counter)


def session_days(start: int, days: int) -> list[int]:
    """The days (ordinals) of a session of `days` working days from the first working day on
    or after `start`."""
    first = date.fromordinal(start)
    while not is_working_day(first):
        first += timedelta(days=1)
    return [day.toordinal() for day in add_working_days(first, days)]


def length(session: dict[str, Any]) -> int:
    """A session's working days."""
    return len(working_days(session["starts_on"], session["ends_on"]))


class Allocator:
    def __init__(self, estate: Estate, seed: int) -> None:
        self.estate = estate
        self.seed = seed
        self.sessions_made = 0

    def venues(
        self,
        plan: CyclePlan,
        *,
        centres: dict[str, bool] | None = None,
        kept: Iterable[dict[str, Any]] = (),
    ) -> list[Venue]:
        """The venues a run may use, with the room-days already taken in the cycle."""
        estate = self.estate
        first, last = plan.start.toordinal(), plan.end.toordinal()
        kept = list(kept)
        found = []
        for facility_id in estate.in_service:
            facility = estate.facilities.get(facility_id)
            if facility is None or estate.closing(facility_id, plan.year):
                continue
            taken: RoomDays = Counter()
            add_entries(taken, facility.usage, first, last)
            add_entries(
                taken,
                [s for s in facility.sessions if s["cycle_id"] != str(plan.cycle.id)],
                first,
                last,
            )
            for cycle_id, venues in estate.tentative.items():
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
        for centre_id, centre in estate.centres.items():
            forced = (centres or {}).get(centre.name)
            if forced is False or (forced is None and centre.status is not ProposalStatus.APPROVED):
                continue
            opening = date.fromisoformat(centre.earliest_opening).toordinal()
            if opening > last:
                continue
            taken = Counter()
            add_entries(
                taken,
                [
                    s
                    for s in estate.centre_sessions[centre_id]
                    if s["cycle_id"] != str(plan.cycle.id)
                ],
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
        rates = Rates.from_weights(plan.cycle.weights)
        kept = kept or []
        venues = self.venues(plan, centres=centres, kept=kept)
        by_id = {v.venue_id: v for v in venues}
        sessions = [Session.from_dict(s) for s in kept]
        placed: Counter[str] = Counter()
        for s in kept:
            for need_id, places in s["needs"].items():
                placed[need_id] += places
        spent = sum(self.session_cost(s, by_id.get(s.venue_id), rates) for s in sessions)
        courses: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for key, need in plan.needs.items():
            if need.status is NeedStatus.ENDORSED:
                info = plan.info[key]
                courses[(info.course.code, *info.window)].append(key)
        reasons: dict[str, Reason] = {}
        order = sorted(
            courses, key=lambda c: (LEVELS.index(COURSE[c[0]].level), -COURSE[c[0]].score, c)
        )
        out_of_budget = False
        used = {s.session_id for s in sessions}  # session ids are unique in a run
        for course_key in order:
            course = COURSE[course_key[0]]
            keys = sorted(
                courses[course_key], key=lambda k: (-(plan.needs[k].priority_score or 0), k)
            )
            remaining = {k: analysis(plan.needs[k])["learners"] - placed[k] for k in keys}
            if out_of_budget:
                reasons.update(dict.fromkeys(keys, Reason.BUDGET_REACHED))
                continue
            low, high = course.size
            suitable = [
                v for v in venues if v.features >= set(course.features) and v.capacity >= low
            ]
            if not suitable:
                reasons.update(dict.fromkeys(keys, Reason.NO_SUITABLE_VENUE))
                continue
            days = math.ceil(course.days)
            window_start = max(date.fromisoformat(course_key[1]), not_before).toordinal()
            window_end = date.fromisoformat(course_key[2]).toordinal()
            total = sum(remaining.values())
            cursor = 0  # the first need with learners left
            while True:
                if total < low:  # too few left for a class
                    unmet(reasons, remaining, Reason.OUT_RANKED)
                    break
                slot = find_slot(rng, suitable, days, window_start, window_end)
                if slot is None:
                    unmet(reasons, remaining, Reason.WINDOW_TOO_NARROW)
                    break
                venue, dates = slot
                cost = session_cash(days, venue.rate, course.trainers, rates.trainer_day)
                if spent + cost > budget:
                    out_of_budget = True
                    unmet(reasons, remaining, Reason.BUDGET_REACHED)
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
                start = date.fromordinal(dates[0])
                number = 1
                while (
                    name := session_id(course.code, days, venue.venue_id, start, number)
                ) in used:
                    number += 1
                used.add(name)
                sessions.append(
                    Session(
                        session_id=name,
                        course_code=course.code,
                        venue_kind=venue.kind,
                        venue_id=venue.venue_id,
                        starts_on=start,
                        days=days,
                        needs=needs,
                        learners=dict(learners),
                    )
                )
        return self.result(plan, sessions, venues, placed, reasons, rng, budget, rates)

    @staticmethod
    def session_cost(session: Session, venue: Venue | None, rates: Rates) -> float:
        course = COURSE[session.course_code]
        rate = venue.rate if venue else 0
        return session_cash(session.days, rate, course.trainers, rates.trainer_day)

    def result(
        self,
        plan: CyclePlan,
        sessions: list[Session],
        venues: list[Venue],
        placed: Counter[str],
        reasons: dict[str, Reason],
        rng: random.Random,
        budget: float,
        rates: Rates,
    ) -> dict[str, Any]:
        """The run as the optimiser reports one (`PlanningResult.to_dict()`): its objective
        (with a gap a CP-SAT run might report), cost, every need's outcome and utilisation per
        venue and week."""
        by_id = {v.venue_id: v for v in venues}
        levels = Weights.from_cycle(plan.cycle.weights).level
        cost = Counter[str]()
        mandatory = 0
        points = 0.0
        opened = sorted({s.venue_id for s in sessions if s.venue_kind == "centre"})
        for s in sessions:
            venue = by_id.get(s.venue_id)
            course = COURSE[s.course_code]
            rate = venue.rate if venue else 0.0
            cost["centre_running" if s.venue_kind == "centre" else "facility_days"] += round(
                room_days(s.days, rate)
            )
            cost["trainer_days"] += trainer_days(s.days, course.trainers, rates.trainer_day)
            for need_id, places in s.needs.items():
                need = plan.needs.get(need_id)
                if need is None:
                    continue
                cost["learner_abstraction"] += round(
                    abstraction(places * course.days, rates.abstraction_per_learner_day)
                )
                if need.is_mandatory:
                    mandatory += places
                level = need.priority_level or "Optional"
                points += (
                    places * course.days * levels[level] * (1 + (need.priority_score or 0) / 100)
                )
        for centre_id in opened:
            centre = self.estate.centres.get(centre_id)
            if centre is not None and centre.status is not ProposalStatus.APPROVED:
                cost["centre_setup"] += round(centre.setup_cost)
        costs = CostBreakdown(
            facility_days=cost["facility_days"],
            centre_setup=cost["centre_setup"],
            centre_running=cost["centre_running"],
            trainer_days=cost["trainer_days"],
            learner_abstraction=cost["learner_abstraction"],
        )
        mandated = float(mandatory)
        gap = rng.choice((0.0, 0.0, 0.0, 0.0008, 0.003, 0.011))
        seconds = round(rng.uniform(20, 60), 2)
        bound = mandated + gap * max(1.0, mandated)
        outcomes = []
        met_by_level = dict.fromkeys(LEVELS, 0)
        demanded = dict.fromkeys(LEVELS, 0)
        by_group: dict[str, dict[str, list[int]]] = {}
        for key, need in plan.needs.items():
            if need.status not in (NeedStatus.ENDORSED, NeedStatus.SCHEDULED):
                continue
            learners = analysis(need)["learners"]
            met = min(learners, placed[key])
            status = Met.MET if met >= learners else Met.PARTLY_MET if met else Met.UNMET
            why = () if status is Met.MET else (str(reasons.get(key, Reason.OUT_RANKED)),)
            level = need.priority_level or "Optional"
            group = plan.info[key].unit.group
            outcomes.append(NeedOutcome(key, status, learners, met, why, (), group, level))
            met_by_level[level] = met_by_level.get(level, 0) + met
            demanded[level] = demanded.get(level, 0) + learners
            cell = by_group.setdefault(group, {}).setdefault(level, [0, 0])
            cell[0] += met
            cell[1] += learners
        self.sessions_made += len(sessions)
        # The staged search's report (planning.solver.STAGES), each stage in its own units;
        # a gap only on the first, as a CP-SAT run under a time limit might leave one.
        share = min(
            (o.learners_met / o.learners for o in outcomes if o.level == "Mandated" and o.learners),
            default=1.0,
        )
        split = (0.4, 0.25, 0.2, 0.15)
        stages = (
            StageOutcome("mandated learners", "learners", "maximise",
                         "OPTIMAL" if gap == 0 else "FEASIBLE", mandated, bound,
                         seconds * split[0], mandated, "cp-sat"),
            StageOutcome("fair share", "% of the worst-covered mandated need", "maximise",
                         "NO_BETTER", 100 * share, 100.0, seconds * split[1], 100 * share,
                         "cp-sat"),
            StageOutcome("priority-weighted learner-days", "weighted learner-days", "maximise",
                         "NO_BETTER", points, None, seconds * split[2], points, "cp-sat"),
            StageOutcome("cost", "pounds", "minimise", "NO_BETTER", float(costs.total), None,
                         seconds * split[3], float(costs.total), "cp-sat"),
        )  # fmt: skip
        result = PlanningResult(
            status="OPTIMAL" if gap == 0 else "FEASIBLE",
            objective=mandated,
            bound=bound,
            seconds=seconds,
            objective_terms=OBJECTIVE_TERMS,
            sessions=tuple(sessions),
            centres_opened=tuple(opened),
            cost=costs,
            utilisation=utilisation(plan, venues),
            outcomes=tuple(outcomes),
            settings={"budget": budget},
            stages=stages,
            learners_met=met_by_level,
            learners_demanded=demanded,
            baseline_learners_met=dict(met_by_level),
            by_group=by_group,
        )
        run = result.to_dict()
        if list(run) != RUN_KEYS:
            raise AssertionError(f"a run's keys are {RUN_KEYS}, not {list(run)}")
        return run


def utilisation(plan: CyclePlan, venues: list[Venue]) -> tuple[Utilisation, ...]:
    """Room-hours used by the run and left free by everything else, per venue and week."""
    found = []
    for venue in sorted(venues, key=lambda v: v.venue_id):
        first = date.fromordinal(max(plan.start.toordinal(), venue.first_day))
        monday = monday_of(first)
        while monday <= plan.end:
            days = [
                day.toordinal()
                for day in working_days(max(first, monday), min(plan.end, monday + FRIDAY))
            ]
            if days:
                used = sum(venue.used[day] for day in days)
                free = sum(max(0, venue.rooms - venue.before[day]) for day in days)
                found.append(
                    Utilisation(
                        venue.venue_id,
                        monday,
                        used * HOURS_PER_ROOM_DAY,
                        free * HOURS_PER_ROOM_DAY,
                    )
                )
            monday += WEEK
    return tuple(found)


def unmet(reasons: dict[str, Reason], remaining: dict[str, int], reason: Reason) -> None:
    """`reason` for every need of a course with learners left."""
    for key, left in remaining.items():
        if left > 0:
            reasons[key] = reason


def find_slot(
    rng: random.Random, venues: list[Venue], days: int, first: int, last: int
) -> tuple[Venue, list[int]] | None:
    """A random venue and start with a free room on every day of the session, if one of
    SLOT_TRIES tries finds it."""
    for _ in range(SLOT_TRIES):
        venue = venues[rng.randrange(len(venues))]
        lo = max(first, venue.first_day)
        hi = last - days - (days // 5) * 2
        if hi < lo:
            continue
        dates = session_days(rng.randint(lo, hi), days)
        if dates[-1] > last:
            continue
        if all(venue.taken[d] < venue.rooms for d in range(dates[0], dates[-1] + 1)):
            return venue, dates
    return None
