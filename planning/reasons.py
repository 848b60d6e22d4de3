"""Why a need is not (fully) met: the binding rule and the resource, tested counterfactually.

1. Structural, no solve: no facility or centre has the course's features and seats ->
   NO_SUITABLE_VENUE; no suitable site has a free run of days on the start grid inside the
   need's window (but one outside) -> WINDOW_TOO_NARROW.
2. Otherwise, per course with needs left short: the plan is frozen except that course (every
   other course's sessions are kept as planned, its centres opened or shut as planned) and
   every need of the course is held to at least the learners the plan gives it. Then each
   RELAXATION that applies is tried alone on that frozen problem: one more room at every
   facility that suits the course (rooms), the need's window widened to the cycle (windows),
   the group's allowance (allowance), the budget (budget), a centre the board keeps shut
   (centres). A relaxation is named for a need only when, with it, the need gets more learners
   than the plan gives it: "relaxing that rule alone lets the need get more learners", while
   no other need of the course loses any and no other course changes. The same solve
   quantifies the shortfall of the course (planning.model.Shortfall): "N more room-days of
   facilities with gym, mats would place M more Mandated learners".
3. Priorities: the hold on the course's other needs of a higher priority (mandated first, then
   level) is released: if the need then gets more, it is OUT_RANKED by them (named). The same
   with needs of its own priority: SHARED with them (the fair-share stage split the places).
   A mandated need is never out-ranked: nothing ranks above mandated.

What no single relaxation explains, or what time did not allow, is NOT_PROVEN. The solving is
the solver's: `diagnose` is handed a `Capacity` check (planning.solver passes its own) and
never builds a model itself. New rules add their relaxation to RELAXATIONS.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from domain.calendar import monday_of, working_days
from planning.facts import (
    Course,
    CourseKey,
    PlanFacts,
    allowance_limit,
    allowance_units,
    level_rank,
    placeable,
    session_cash,
    suitable,
    trainers_available,
    trainers_used,
)
from planning.model import (
    Binding,
    Need,
    PlanningProblem,
    Reason,
    Session,
    Shortfall,
    TrainerPool,
    Venue,
)
from planning.validator import away_by_week, cost_of

MIN_TIME = 0.3  # seconds: with less left, only the structural reasons are derived


@dataclass(frozen=True)
class Counterfactual:
    status: str  # OPTIMAL FEASIBLE INFEASIBLE UNKNOWN
    trained: dict[str, int]  # learners per need of the course solved


Capacity = Callable[[PlanningProblem, Sequence[str], Mapping[str, int], float], Counterfactual]
"""`capacity(problem, wanted, floors, seconds)`: the most learners the needs `wanted` can have
in `problem` together, every need in `floors` keeping at least that many; the learners of
every need of the solution. planning.solver.capacity is one."""


@dataclass(frozen=True)
class Variant:
    """A frozen problem with one rule relaxed, and how to say it."""

    problem: PlanningProblem
    reason: Reason
    rule: str
    resource: str
    relaxed: str
    extra: int  # how much more of the resource the relaxation gives
    unit: str
    short: str = ""  # the resource in a shortfall: "rooms at the 8 venues with gym, mats"


@dataclass
class Case:
    """The frozen plan of one course: the problem with every other course kept as planned."""

    problem: PlanningProblem
    course: Course
    short: list[Need]
    plan: dict[str, int]  # learners the plan gives each need of the course
    sessions: tuple[Session, ...]
    opened: tuple[str, ...]


def _title(need: Need, codes: Mapping[str, str]) -> str:
    code = codes.get(need.group_id, "")
    return need.title if not code or f"({code})" in need.title else f"{need.title} ({code})"


def _span(first: date, last: date) -> str:
    return f"{first:%-d %b %Y} - {last:%-d %b %Y}"


def _features(course: Course) -> str:
    return ", ".join(sorted(course.features)) or "no special features"


def frozen(
    problem: PlanningProblem,
    sessions: Sequence[Session],
    opened: Iterable[str],
    course: Course,
    above: tuple[bool, int] | None = None,
) -> PlanningProblem:
    """The problem with every session of the other courses pinned as planned, their needs cut
    to what the plan gives them, and the centres opened or shut as planned. With `above` (a
    rank), the other courses' sessions that serve a need ranked above it are dropped."""
    key = course.key
    ranks = {n.need_id: _rank(n) for n in problem.needs}
    keep = [
        s
        for s in sessions
        if (s.course_code, s.days) != key
        and not (above is not None and any(ranks.get(nid, above) < above for nid in s.needs))
    ]
    pinned = tuple(replace(s, pinned=True) for s in keep)
    own = tuple(s for s in problem.previous if s.pinned and (s.course_code, s.days) == key)
    trained: dict[str, int] = defaultdict(int)
    for s in keep:
        for nid, c in s.needs.items():
            trained[nid] += c
    ids = {n.need_id for n in course.needs}
    needs = tuple(
        n if n.need_id in ids else replace(n, learners=min(n.learners, trained[n.need_id]))
        for n in problem.needs
    )
    shut = set(opened)
    centres = tuple(replace(c, forced=c.centre_id in shut) for c in problem.centres)
    return replace(problem, needs=needs, previous=pinned + own, centres=centres)


def _suitable_venues(case: Case) -> list[Venue]:
    fits = {s.site_id for s in PlanFacts(case.problem).sites if suitable(case.course, s)}
    return [v for v in case.problem.venues if v.venue_id in fits]


def _rooms(case: Case) -> Variant | None:
    if case.course.online:  # e-learning takes no room
        return None
    venues = _suitable_venues(case)
    centres = [
        c
        for c in case.problem.centres
        if c.forced and case.course.features <= c.features and c.capacity >= case.course.class_min
    ]
    if not venues and not centres:
        return None
    first = min(n.window_start for n in case.short)
    last = max(n.window_end for n in case.short)
    days = working_days(max(first, case.problem.starts_on), min(last, case.problem.ends_on))
    extra = 0
    more_venues = []
    for v in venues:
        open_days = [d for d in days if v.free_rooms(d) > 0]
        extra += len(open_days)
        closed = {d: n + 1 for d, n in v.taken.items() if n >= v.rooms}  # closures stay shut
        more_venues.append(replace(v, rooms=v.rooms + 1, taken={**v.taken, **closed}))
    extra += sum(len([d for d in days if d >= c.earliest_opening]) for c in centres)
    ids = {v.venue_id for v in venues}
    venues_after = tuple(
        more_venues[[x.venue_id for x in venues].index(v.venue_id)] if v.venue_id in ids else v
        for v in case.problem.venues
    )
    centre_ids = {c.centre_id for c in centres}
    centres_after = tuple(
        replace(c, rooms=c.rooms + 1) if c.centre_id in centre_ids else c
        for c in case.problem.centres
    )
    problem = replace(case.problem, venues=venues_after, centres=centres_after)
    sites = len(venues) + len(centres)
    where = f"the {sites} venue{'s' if sites != 1 else ''} with {_features(case.course)}"
    resource = f"rooms at {where} are full in its window ({_span(first, last)})"
    users = _users(case, {v.venue_id for v in venues} | {c.centre_id for c in centres}, days)
    if users:
        resource += f", used by {users}"
    return Variant(
        problem,
        Reason.ROOMS_FULL,
        "rooms_and_schedule",
        resource,
        "one more room at each",
        extra,
        "room-days",
        where,
    )


def _users(case: Case, site_ids: set[str], days: Sequence[date]) -> str:
    """The courses that use most room-days of those sites on those days, by title."""
    window = set(days)
    used: dict[str, int] = defaultdict(int)
    for s in case.sessions:
        if s.venue_id in site_ids:
            used[s.course_code] += sum(1 for d in s.dates if d in window)
    titles: dict[str, str] = {}
    for n in case.problem.needs:
        titles.setdefault(n.course_code, n.title.split(" (")[0])
    top = sorted(used.items(), key=lambda kv: -kv[1])[:3]
    return "; ".join(f"{titles.get(code, code)} ({days:,} room-days)" for code, days in top)


def _windows(case: Case, need: Need) -> Variant | None:
    p = case.problem
    if need.window_start <= p.starts_on and need.window_end >= p.ends_on:
        return None
    needs = tuple(
        replace(n, window_start=p.starts_on, window_end=p.ends_on)
        if n.need_id == need.need_id
        else n
        for n in p.needs
    )
    widened = len(working_days(p.starts_on, p.ends_on)) - len(
        working_days(need.window_start, need.window_end)
    )
    return Variant(
        replace(p, needs=needs),
        Reason.WINDOW_TOO_NARROW,
        "windows",
        f"its window ({_span(need.window_start, need.window_end)})",
        "the whole cycle as its window",
        widened,
        "working days",
    )


def _allowance(case: Case, group_id: str, plan: Mapping[str, int]) -> Variant | None:
    p = case.problem
    group = next((g for g in p.groups if g.group_id == group_id), None)
    if group is None:
        return None
    used = sum(
        allowance_units(p, n) * _trained(case, n, plan) for n in p.needs if n.group_id == group_id
    )
    limit = allowance_limit(group.allowance_hours)
    smallest = min(
        allowance_units(p, n) * max(1, case.course.class_min)
        for n in case.short
        if n.group_id == group_id
    )
    if limit - used >= smallest:  # a class more fits in what is left: not what binds
        return None
    groups = tuple(
        replace(g, allowance_hours_per_head=g.allowance_hours_per_head * 10 + 1)
        if g.group_id == group_id
        else g
        for g in p.groups
    )
    resource = (
        f"{group.code}'s allowance of {group.allowance_hours_per_head:g} hours per head "
        f"({group.allowance_hours:,.0f} hours) is used"
    )
    return Variant(
        replace(p, groups=groups),
        Reason.ALLOWANCE_REACHED,
        "allowance",
        resource,
        f"more of {group.code}'s allowance",
        0,
        "hours",
        f"{group.code}'s allowance",
    )


def _capability(case: Case, group_id: str) -> Variant | None:
    """The group's weekly limit binds when every week of the short needs' windows has less
    room left than a minimum class."""
    p = case.problem
    group = next((g for g in p.groups if g.group_id == group_id), None)
    if group is None or group.away_percent >= 100:
        return None
    mine = [n for n in case.short if n.group_id == group_id]
    first = max(p.starts_on, min(n.window_start for n in mine))
    last = min(p.ends_on, max(n.window_end for n in mine))
    weeks = sorted({monday_of(d) for d in working_days(first, last)})
    if not weeks:
        return None
    away = away_by_week(p, case.sessions)
    room = max(group.away_limit - away.get((group_id, w), 0) for w in weeks)
    if room >= max(1, case.course.class_min):
        return None
    full = sum(1 for w in weeks if away.get((group_id, w), 0) >= group.away_limit)
    groups = tuple(replace(g, away_percent=100.0) if g.group_id == group_id else g
                   for g in p.groups)  # fmt: skip
    resource = (
        f"{group.code}'s operational capability: at most {group.away_percent:g}% of its "
        f"{group.headcount:,} people ({group.away_limit:,}) away training in any week, "
        f"reached in {full} of the {len(weeks)} weeks of its window ({_span(first, last)})"
    )
    return Variant(
        replace(p, groups=groups),
        Reason.CAPABILITY,
        "operational_capability",
        resource,
        f"lifting {group.code}'s weekly limit",
        0,
        "learners away a week",
        f"{group.code}'s weekly limit",
    )


def _trainers(case: Case) -> Variant | None:
    """The course's discipline binds when, on some working day of the short needs' windows,
    its pools have fewer trainers free than a session takes."""
    p, course = case.problem, case.course
    available = trainers_available(p).get(course.discipline)
    if available is None or course.trainers <= 0:
        return None
    first = max(p.starts_on, min(n.window_start for n in case.short))
    last = min(p.ends_on, max(n.window_end for n in case.short))
    days = working_days(first, last)
    used = trainers_used(p, case.sessions)
    tight = [d for d in days if available.get(d, 0) - used.get((course.discipline, d), 0)
             < course.trainers]  # fmt: skip
    if not tight:
        return None
    pools = [x for x in p.pools if x.discipline == course.discipline]
    more = 2 * course.trainers  # two more sessions of the course a day
    relaxed = TrainerPool(f"more {course.discipline}", f"{more} more {course.discipline} trainers",
                          course.discipline, more)  # fmt: skip
    names = ", ".join(x.name for x in pools)
    most = max(used.get((course.discipline, d), 0) for d in days)
    resource = (
        f"the {course.discipline} trainers ({names}: {sum(x.trainers for x in pools):,} "
        f"trainers less leave and sickness) are all at work on {len(tight)} of the "
        f"{len(days)} working days of its window ({_span(first, last)}), up to {most:,} a day"
    )
    return Variant(
        replace(p, pools=(*p.pools, relaxed)),
        Reason.TRAINERS,
        "trainers",
        resource,
        f"{more} more {course.discipline} trainers",
        more * len(days),
        "trainer-days",
        f"the {course.discipline} pools ({names})",
    )


def _budget(case: Case) -> Variant | None:
    p = case.problem
    cost = cost_of(p, case.sessions, case.opened)
    cash = cost.total if p.capital_budget is None else cost.revenue
    sites = [x for x in PlanFacts(p).sites if suitable(case.course, x)]
    cheapest = min(
        (session_cash(p, x.cost_per_day, case.course.days, case.course.trainers) for x in sites),
        default=0,
    )
    if p.budget - cash >= cheapest:  # one more session fits in what is left
        return None
    return Variant(
        replace(p, budget=p.budget * 10 + 1_000_000),
        Reason.BUDGET_REACHED,
        "budget",
        f"the budget of £{p.budget:,} is spent",
        "a larger budget",
        0,
        "pounds",
    )


def _centres(case: Case, original: PlanningProblem) -> list[Variant]:
    out: list[Variant] = []
    if case.course.online:  # e-learning takes no room
        return out
    for c in original.centres:
        if c.forced is not False:
            continue
        if not (case.course.features <= c.features and c.capacity >= case.course.class_min):
            continue
        centres = tuple(
            replace(x, forced=None) if x.centre_id == c.centre_id else x
            for x in case.problem.centres
        )
        out.append(
            Variant(
                replace(case.problem, centres=centres),
                Reason.CENTRE_SHUT,
                "centres",
                f"{c.name} is kept shut",
                f"opening {c.name}",
                0,
                "centres",
            )
        )
    return out


def _trained(case: Case, need: Need, plan: Mapping[str, int]) -> int:
    if need.need_id in plan:
        return plan[need.need_id]
    return need.learners  # other courses' needs are cut to what the plan gives them


def _rank(need: Need) -> tuple[bool, int]:
    return (not need.mandatory, level_rank(need.level))


def _structural(facts: PlanFacts, need: Need) -> Binding | None:
    course = facts.course_of(need.need_id)
    if not any(suitable(course, site) for site in facts.sites):
        seats = max(1, course.class_min)
        return Binding(
            Reason.NO_SUITABLE_VENUE,
            "features_and_capacity",
            f"no venue has {_features(course)} and {seats} seats",
        )
    if placeable(facts, need):
        return None
    return Binding(
        Reason.WINDOW_TOO_NARROW,
        "windows",
        f"no venue with {_features(course)} has {course.days} free working days "
        f"in a row inside its window ({_span(need.window_start, need.window_end)})",
    )


def diagnose(
    problem: PlanningProblem,
    sessions: Iterable[Session],
    capacity: Capacity,
    *,
    opened: Iterable[str] = (),
    time_limit: float = 5.0,
) -> tuple[dict[str, tuple[Binding, ...]], tuple[Shortfall, ...]]:
    """The bindings of each need the sessions leave short and the shortfalls they show,
    within `time_limit` seconds."""
    deadline = time.monotonic() + time_limit
    sessions = tuple(sessions)
    opened = tuple(opened)
    trained: dict[str, int] = defaultdict(int)
    for s in sessions:
        for nid, c in s.needs.items():
            trained[nid] += c
    short = [n for n in problem.needs if trained[n.need_id] < n.learners]
    found: dict[str, list[Binding]] = defaultdict(list)
    shortfalls: list[Shortfall] = []
    if not short:
        return {}, ()
    facts = PlanFacts(problem)
    cases: dict[CourseKey, list[Need]] = defaultdict(list)
    for need in short:
        binding = _structural(facts, need)
        if binding is not None:
            found[need.need_id].append(binding)
        else:
            cases[facts.course_of(need.need_id).key].append(need)
    order = sorted(cases.items(), key=lambda kv: min(_rank(n) for n in kv[1]))
    for key, needs in order:
        if deadline - time.monotonic() < MIN_TIME:
            break
        course = facts.course(key)
        plan = {n.need_id: trained[n.need_id] for n in course.needs}
        case = Case(
            frozen(problem, sessions, opened, course), course, needs, plan, sessions, opened
        )
        _diagnose_course(case, problem, capacity, deadline, found, shortfalls)
        _out_ranked_by_other_courses(case, problem, capacity, deadline, found)
    reasons: dict[str, tuple[Binding, ...]] = {}
    for need in short:
        got = found.get(need.need_id)
        reasons[need.need_id] = (
            tuple(got)
            if got
            else (
                Binding(
                    Reason.NOT_PROVEN,
                    "",
                    "no single rule relaxed alone was shown to give it "
                    "more learners in the time left",
                ),
            )
        )
    return reasons, tuple(shortfalls)


def _diagnose_course(
    case: Case,
    original: PlanningProblem,
    capacity: Capacity,
    deadline: float,
    found: dict[str, list[Binding]],
    shortfalls: list[Shortfall],
) -> None:
    wanted = [n.need_id for n in case.short]
    floors = dict(case.plan)
    levels = {n.need_id: n.level for n in case.course.needs}

    def more(
        variant_problem: PlanningProblem, ids: Sequence[str], held: Mapping[str, int]
    ) -> dict[str, int] | None:
        left = deadline - time.monotonic()
        if left < 0.05:
            return None
        out = capacity(variant_problem, ids, held, left)
        if out.status not in ("OPTIMAL", "FEASIBLE"):
            return None
        return {nid: out.trained.get(nid, held_at) - held_at for nid, held_at in case.plan.items()}

    variants: list[tuple[Variant, list[str]]] = []
    rooms = _rooms(case)
    if rooms is not None:
        variants.append((rooms, wanted))
    budget = _budget(case)
    if budget is not None:
        variants.append((budget, wanted))
    trainers = _trainers(case)
    if trainers is not None:
        variants.append((trainers, wanted))
    for group_id in sorted({n.group_id for n in case.short}):
        allowance = _allowance(case, group_id, case.plan)
        if allowance is not None:
            variants.append((allowance, [n.need_id for n in case.short if n.group_id == group_id]))
        capability = _capability(case, group_id)
        if capability is not None:
            variants.append((capability, [n.need_id for n in case.short if n.group_id == group_id]))
    variants += [(c, wanted) for c in _centres(case, original)]
    variants += [(w, [n.need_id]) for n in case.short if (w := _windows(case, n)) is not None]
    for variant, ids in variants:
        gained = more(variant.problem, ids, floors)
        if gained is None:
            continue
        if variant.unit == "hours":  # the allowance the extra learners use
            hours = case.problem.weights.hours_per_day
            need_of = {n.need_id: n for n in case.course.needs}
            variant = replace(
                variant,
                extra=round(sum(max(0, gained[nid]) * need_of[nid].days * hours for nid in ids)),
            )
        total = sum(max(0, gained[nid]) for nid in ids)
        for nid in ids:
            # the batch's solve may give the extra places to some of the needs only: each
            # other one is asked alone (is it held short by this rule too?)
            mine = gained[nid] if gained[nid] > 0 or len(ids) == 1 or total == 0 else None
            if mine is None:
                alone = more(variant.problem, [nid], floors)
                mine = 0 if alone is None else alone[nid]
            if mine > 0:
                found[nid].append(
                    Binding(variant.reason, variant.rule, variant.resource, variant.relaxed, mine)
                )
        if total > 0 and variant.extra:
            level = min(
                (levels[nid] for nid in ids if gained[nid] > 0), key=lambda lv: level_rank(lv)
            )
            shortfalls.append(
                Shortfall(variant.rule, variant.short, variant.extra, variant.unit, total, level)
            )
    codes = {g.group_id: g.code for g in case.problem.groups}
    titles = {n.need_id: _title(n, codes) for n in case.course.needs}
    for need in case.short:
        own = _rank(need)
        for kind, higher in ((Reason.OUT_RANKED, True), (Reason.SHARED, False)):
            others = [
                n
                for n in case.course.needs
                if n.need_id != need.need_id and (_rank(n) < own if higher else _rank(n) == own)
            ]
            if not others:
                continue
            held = {nid: f for nid, f in floors.items() if nid not in {n.need_id for n in others}}
            gained = more(case.problem, [need.need_id], held)
            if gained is None or gained[need.need_id] <= 0:
                continue
            losers = [titles[n.need_id] for n in others if gained[n.need_id] < 0]
            found[need.need_id].append(
                Binding(
                    kind,
                    "objective" if kind == Reason.OUT_RANKED else "fair_share",
                    "places went to "
                    + (", ".join(losers) or ", ".join(titles[n.need_id] for n in others)),
                    "taking places from them",
                    gained[need.need_id],
                )
            )


def _out_ranked_by_other_courses(
    case: Case,
    original: PlanningProblem,
    capacity: Capacity,
    deadline: float,
    found: dict[str, list[Binding]],
) -> None:
    """Each short need of the course: with the other courses' sessions that serve higher
    priorities dropped, does it get more? Then those courses out-rank it (named)."""
    codes = {g.group_id: g.code for g in original.groups}
    for need in case.short:
        mine = _rank(need)
        higher = [
            s
            for s in case.sessions
            if (s.course_code, s.days) != case.course.key
            and any(_rank(n) < mine for n in original.needs if n.need_id in s.needs)
        ]
        if not higher or deadline - time.monotonic() < 0.05:
            continue
        variant = frozen(original, case.sessions, case.opened, case.course, above=mine)
        out = capacity(variant, [need.need_id], case.plan, deadline - time.monotonic())
        gained = out.trained.get(need.need_id, 0) - case.plan[need.need_id]
        if out.status not in ("OPTIMAL", "FEASIBLE") or gained <= 0:
            continue
        by_id = {n.need_id: n for n in original.needs}
        names = sorted(
            {
                _title(by_id[nid], codes)
                for s in higher
                for nid in s.needs
                if nid in by_id and _rank(by_id[nid]) < mine
            }
        )
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        found[need.need_id].append(
            Binding(
                Reason.OUT_RANKED,
                "objective",
                f"places went to {shown}",
                "taking places from them",
                gained,
            )
        )


__all__ = ["Capacity", "Counterfactual", "diagnose", "frozen"]
