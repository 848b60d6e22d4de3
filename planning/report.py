"""A plan in planners' units: concrete sessions with their ids, each need's outcome,
utilisation per venue and week, the published sessions that moved, the cost, and the
`PlanningResult` that carries them. The solver and the greedy baseline both report through
here; nothing here knows of a solver.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from domain.calendar import monday_of
from planning.facts import (
    CENTRE,
    HOURS_PER_ROOM_DAY,
    OBJECTIVE_TERMS,
    ONLINE,
    CourseKey,
    PlanFacts,
    Site,
    SiteKey,
    seats,
    session_key,
    sites,
)
from planning.model import (
    LEVELS,
    Binding,
    Move,
    NeedOutcome,
    NeedStatus,
    PlanningProblem,
    PlanningResult,
    Reason,
    Session,
    Shortfall,
    StageOutcome,
    Utilisation,
)
from planning.validator import cost_of, moved_sessions

Counts = Mapping[tuple[CourseKey, SiteKey, date], int]  # sessions per course, site and start
Learners = Mapping[tuple[str, date], int]  # learners per need and start


def session_id(code: str, days: int, site_id: str, start: date, number: int) -> str:
    return f"{code}/{days}d@{site_id}:{start.isoformat()}#{number}"


def expand(facts: PlanFacts, counts: Counts, learners: Learners) -> list[Session]:
    """Concrete sessions from counts of sessions and learners per start day, pooling the
    needs of a course within class size and capacity; pinned sessions as given. A session
    on a published slot keeps the published id."""
    problem = facts.problem
    sessions = [s for s in problem.previous if s.pinned]
    keep_ids: dict[tuple[str, str, str, date, int], list[str]] = defaultdict(list)
    for s in problem.previous:
        if not s.pinned:
            keep_ids[session_key(s)].append(s.session_id)
    needs = {n.need_id: n for n in problem.needs}
    by_course_start: dict[tuple[CourseKey, date], list[tuple[SiteKey, int]]] = defaultdict(list)
    for (ck, sk, start), count in counts.items():
        by_course_start[(ck, start)].append((sk, count))
    for (ck, start), at_sites in sorted(
        by_course_start.items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        course = facts.course(ck)
        slots: list[Site] = []  # one site per session
        for sk, count in at_sites:
            slots += [facts.site(sk)] * count
        if not slots:
            continue
        demand = [
            (n.need_id, learners[(n.need_id, start)])
            for n in course.needs
            if learners.get((n.need_id, start), 0) > 0
        ]
        total = sum(c for _, c in demand)
        sizes = [min(course.class_min, total // len(slots)) for _ in slots]
        left = total - sum(sizes)
        for i, site in enumerate(slots):
            extra = min(left, seats(course, site) - sizes[i])
            sizes[i] += extra
            left -= extra
        queue = list(demand)
        for i, site in enumerate(slots):
            room = sizes[i]
            by_need: dict[str, int] = {}
            by_group: dict[str, int] = defaultdict(int)
            while room and queue:
                nid, c = queue[0]
                take = min(room, c)
                by_need[nid] = by_need.get(nid, 0) + take
                by_group[needs[nid].group_id] += take
                room -= take
                queue[0] = (nid, c - take)
                if queue[0][1] == 0:
                    queue.pop(0)
            key = (course.code, site.kind, site.site_id, start, course.days)
            sid = (
                keep_ids[key].pop(0)
                if keep_ids.get(key)
                else session_id(course.code, course.days, site.site_id, start, i + 1)
            )
            sessions.append(
                Session(
                    sid,
                    course.code,
                    site.kind,
                    site.site_id,
                    start,
                    course.days,
                    by_need,
                    dict(by_group),
                )
            )
    return sessions


def outcomes(
    problem: PlanningProblem,
    sessions: Iterable[Session],
    reasons: Mapping[str, Sequence[Binding | Reason]] | None = None,
) -> tuple[NeedOutcome, ...]:
    """Each need's learners met, with its group's code, its level and, when it is short, the
    reasons (a Binding names the rule and the resource; see planning.reasons)."""
    trained: dict[str, int] = defaultdict(int)
    for s in sessions:
        for nid, c in s.needs.items():
            trained[nid] += c
    codes = {g.group_id: g.code for g in problem.groups}
    out = []
    for need in problem.needs:
        met = min(trained[need.need_id], need.learners)
        status = (
            NeedStatus.MET
            if met >= need.learners
            else NeedStatus.PARTLY_MET
            if met > 0
            else NeedStatus.UNMET
        )
        found = () if status == NeedStatus.MET else tuple((reasons or {}).get(need.need_id, ()))
        why = tuple(r for r in found if isinstance(r, Binding))
        texts = tuple(str(r) if isinstance(r, Binding) else r for r in found)
        out.append(NeedOutcome(need.need_id, status, need.learners, met, texts, why,
                               codes.get(need.group_id, need.group_id), need.level))  # fmt: skip
    return tuple(out)


def coverage(
    problem: PlanningProblem, found: Iterable[NeedOutcome]
) -> tuple[dict[str, int], dict[str, int], dict[str, dict[str, list[int]]]]:
    """Learners met and demanded per priority level, and [met, demanded] per group code and
    level."""
    levels = {n.need_id: n.level for n in problem.needs}
    codes = {g.group_id: g.code for g in problem.groups}
    groups = {n.need_id: codes.get(n.group_id, n.group_id) for n in problem.needs}
    met = dict.fromkeys(LEVELS, 0)
    demanded = dict.fromkeys(LEVELS, 0)
    by_group: dict[str, dict[str, list[int]]] = {}
    for o in found:
        level = levels[o.need_id]
        met[level] = met.get(level, 0) + o.learners_met
        demanded[level] = demanded.get(level, 0) + o.learners
        cell = by_group.setdefault(groups[o.need_id], {}).setdefault(level, [0, 0])
        cell[0] += o.learners_met
        cell[1] += o.learners
    return met, demanded, by_group


def utilisation(
    problem: PlanningProblem, sessions: Iterable[Session], opened: Iterable[str]
) -> tuple[Utilisation, ...]:
    opened = set(opened)
    used: dict[tuple[str, date], float] = defaultdict(float)
    available: dict[tuple[str, date], float] = defaultdict(float)
    for site in sites(problem):
        if (site.kind == CENTRE and site.site_id not in opened) or site.kind == ONLINE:
            continue
        for day, free in site.free.items():
            available[(site.site_id, monday_of(day))] += free * HOURS_PER_ROOM_DAY
    for s in sessions:
        if s.venue_kind == ONLINE:
            continue
        for day in s.dates:
            used[(s.venue_id, monday_of(day))] += HOURS_PER_ROOM_DAY
    keys = sorted(set(available) | set(used))
    return tuple(
        Utilisation(vid, week, used[(vid, week)], available[(vid, week)]) for vid, week in keys
    )


def moves(problem: PlanningProblem, sessions: Iterable[Session]) -> tuple[Move, ...]:
    """Each published session the plan moved or dropped, where to, and why."""
    sessions = tuple(sessions)
    venues = {v.venue_id: v for v in problem.venues}
    needs = {n.need_id: n for n in problem.needs}
    out = []
    for p in moved_sessions(problem, sessions):
        same_course = [s for s in sessions if s.course_code == p.course_code and not s.pinned
                       and set(s.needs) & set(p.needs)]  # fmt: skip
        after = same_course[0].to_dict() if same_course else None
        venue = venues.get(p.venue_id) if p.venue_kind != CENTRE else None
        if venue is not None and any(venue.free_rooms(d) < 1 for d in p.dates):
            why = "venue closed on those dates"
        elif any(
            s.venue_id == p.venue_id and set(s.dates) & set(p.dates)
            and any(needs[n].level == "Mandated" for n in s.needs if n in needs)
            and s.course_code != p.course_code
            for s in sessions
        ):  # fmt: skip
            why = "freed room for a Mandated need"
        elif not any(n in needs for n in p.needs):
            why = "its needs are no longer in the plan"
        else:
            why = "better plan"
        out.append(Move(p.session_id, p.to_dict(), after, why))
    return tuple(out)


def result(
    problem: PlanningProblem,
    sessions: Iterable[Session],
    opened: Iterable[str],
    *,
    status: str,
    started: float,
    settings: Mapping[str, object],
    reasons: Mapping[str, Sequence[Binding | Reason]] | None = None,
    stages: tuple[StageOutcome, ...] = (),
    baseline: PlanningResult | None = None,
    objective: float | None = None,
    bound: float | None = None,
    shortfalls: tuple[Shortfall, ...] = (),
) -> PlanningResult:
    """The plan reported in the planners' units: learners met per level and group (and what
    the `baseline` plan met), cost, utilisation, outcomes with `reasons`, moves and the
    `stages` of the search. `objective` and `bound` are the first stage's (mandated learners)
    when the solver ran, else the plan's mandated learners; `started` is the
    time.monotonic() the run began."""
    sessions = tuple(sessions)
    opened = tuple(sorted(opened))
    found = outcomes(problem, sessions, reasons)
    met, demanded, by_group = coverage(problem, found)
    if objective is None:
        objective = float(met.get("Mandated", 0)) if stages else float(sum(
            o.learners_met for o, n in zip(found, problem.needs, strict=True) if n.mandatory
        ))  # fmt: skip
    return PlanningResult(
        status=status,
        objective=objective,
        bound=bound,
        seconds=time.monotonic() - started,
        objective_terms=OBJECTIVE_TERMS,
        sessions=sessions,
        centres_opened=opened,
        cost=cost_of(problem, sessions, opened),
        utilisation=utilisation(problem, sessions, opened),
        outcomes=found,
        moves=moves(problem, sessions),
        settings=dict(settings),
        stages=stages,
        learners_met=met,
        learners_demanded=demanded,
        baseline_learners_met=(
            dict(baseline.learners_met)
            if baseline is not None and baseline.learners_met
            else dict(met)
        ),
        by_group=by_group,
        shortfalls=shortfalls,
    )
