"""A greedy plan: the baseline the optimiser must beat, and its first hint.

Needs are taken by mandatory first, then level, then score. Each need first fills spare seats
in sessions of its course already planned inside its window (pooling), then opens new sessions
first-fit: earliest grid start day, cheapest suitable facility with a free room on every day,
then centres that must open anyway. It keeps to every hard rule (class size, capacity, rooms,
windows, allowance, operational capability, trainers, budget) and never opens an optional
centre."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from domain.calendar import add_working_days
from planning import report
from planning.facts import (
    CENTRE,
    PlanFacts,
    SiteKey,
    allowance_limit,
    allowance_units,
    inside,
    level_rank,
    opens_in_time,
    pinned_away,
    seats,
    session_cash,
    start_days,
    suitable,
    trainers_available,
    trainers_used,
    venue_running,
    weeks_of,
)
from planning.model import PlanningProblem, PlanningResult, Session


def greedy(problem: PlanningProblem) -> PlanningResult:
    started = time.monotonic()
    v = PlanFacts(problem)
    used: dict[tuple[SiteKey, date], int] = defaultdict(int)
    opened = {c.centre_id for c in problem.centres if c.forced is True}
    opened |= {s.venue_id for s in problem.previous if s.pinned and s.venue_kind == CENTRE}
    setup = sum(c.setup_cost for c in problem.centres if c.centre_id in opened)
    cash = v.pinned_cash() + venue_running(problem)
    if problem.capital_budget is None:
        cash += setup  # the one budget holds capital and revenue
    elif setup > problem.capital_budget:
        cash = problem.budget + 1  # nothing can be planned
    groups = {g.group_id: g for g in problem.groups}
    hours: dict[str, int] = defaultdict(int)
    for need in problem.needs:
        hours[need.group_id] += allowance_units(problem, need) * v.pinned_met.get(need.need_id, 0)
    away = defaultdict(int, pinned_away(problem))  # (group, week) -> learners away
    limits = {g.group_id: g.away_limit for g in problem.groups if g.away_percent < 100}

    def free_away(group_id: str, start: date, length: int) -> int:
        """Learners of the group that may still be away in every week of such a session."""
        if group_id not in limits:
            return 1 << 40
        weeks = weeks_of(start, length)
        return max(0, min(limits[group_id] - away[(group_id, w)] for w in weeks))

    def send(group_id: str, start: date, length: int, learners: int) -> None:
        for w in weeks_of(start, length):
            away[(group_id, w)] += learners

    pool = trainers_available(problem)
    at_work = defaultdict(int, trainers_used(problem, [s for s in problem.previous if s.pinned]))

    def trainers_free(discipline: str, trainers: int, dates: list[date]) -> bool:
        return discipline not in pool or all(
            at_work[(discipline, d)] + trainers <= pool[discipline].get(d, 0) for d in dates
        )

    plan: list[dict[str, Any]] = []  # course key, site, start, needs
    order = sorted(problem.needs, key=lambda n: (not n.mandatory, level_rank(n.level), -n.score,
                                                 n.need_id))  # fmt: skip
    if cash > problem.budget:
        order = []
    for need in order:
        course = v.course_of(need.need_id)
        left = v.remaining(need)
        units = allowance_units(problem, need)
        group = groups.get(need.group_id)
        if group is not None and units > 0:
            room = allowance_limit(group.allowance_hours) - hours[need.group_id]
            left = min(left, max(0, room // units))
        placed = 0
        for rec in plan:
            if left <= 0:
                break
            if rec["course"] != course.key or not inside(need, rec["start"], course.days):
                continue
            spare = seats(course, rec["site"]) - sum(rec["needs"].values())
            take = min(spare, left, free_away(need.group_id, rec["start"], course.days))
            if take > 0:
                rec["needs"][need.need_id] = rec["needs"].get(need.need_id, 0) + take
                send(need.group_id, rec["start"], course.days, take)
                left -= take
                placed += take
        candidates = sorted(
            (s for s in v.sites if suitable(course, s)
             and (s.kind != CENTRE or s.site_id in opened)),
            key=lambda s: (s.kind == CENTRE, s.cost_per_day, s.site_id),
        )  # fmt: skip
        for start in start_days(problem, course.days):
            if left < max(1, course.class_min):
                break
            if not inside(need, start, course.days):
                continue
            dates = add_working_days(start, course.days)
            for site in candidates:
                if not opens_in_time(site, start):
                    continue
                price = session_cash(problem, site.cost_per_day, course.days, course.trainers)
                while (
                    left >= max(1, course.class_min)
                    and all(v.free(site, d) - used[(site.key, d)] >= 1 for d in dates)
                    and cash + price <= problem.budget
                    and trainers_free(course.discipline, course.trainers, dates)
                ):
                    take = min(left, seats(course, site),
                               free_away(need.group_id, start, course.days))  # fmt: skip
                    if take < max(1, course.class_min):
                        break
                    send(need.group_id, start, course.days, take)
                    for d in dates:
                        at_work[(course.discipline, d)] += course.trainers
                    plan.append({"course": course.key, "site": site, "start": start,
                                 "needs": {need.need_id: take}})  # fmt: skip
                    for d in dates:
                        used[(site.key, d)] += 1
                    cash += price
                    left -= take
                    placed += take
        hours[need.group_id] += units * placed
    needs = {n.need_id: n for n in problem.needs}
    sessions = [s for s in problem.previous if s.pinned]
    counter: dict[tuple[str, int, str, date], int] = defaultdict(int)
    for rec in plan:
        (code, days), site, start = rec["course"], rec["site"], rec["start"]
        counter[(code, days, site.site_id, start)] += 1
        by_group: dict[str, int] = defaultdict(int)
        for nid, c in rec["needs"].items():
            by_group[needs[nid].group_id] += c
        sessions.append(
            Session(
                report.session_id(
                    code, days, site.site_id, start, counter[(code, days, site.site_id, start)]
                ),
                code,
                site.kind,
                site.site_id,
                start,
                days,
                dict(rec["needs"]),
                dict(by_group),
            )
        )
    return report.result(problem, sessions, opened, status="FEASIBLE", started=started,
                         settings={"heuristic": "greedy"})  # fmt: skip


def fill(
    problem: PlanningProblem, sessions: Sequence[Session], opened: Iterable[str]
) -> tuple[list[Session], list[str]]:
    """The greedy plan laid on top of `sessions` (kept as they are, in the rooms, allowance
    and budget they use) with the centres `opened`: the needs they leave short get whatever
    places are left, by priority. planning.solver tries it when a stage's search has not
    time to place the rest around the mandated learners it fixed."""
    shut = set(opened)
    kept = tuple(replace(s, pinned=True) for s in sessions)
    centres = tuple(replace(c, forced=c.centre_id in shut) for c in problem.centres)
    more = greedy(replace(problem, previous=kept, centres=centres))
    out = list(sessions)
    taken = {s.session_id for s in sessions}
    for s in more.sessions:
        if s.pinned:
            continue
        sid, number = s.session_id, 1
        while sid in taken:
            number += 1
            sid = f"{s.session_id}.{number}"
        taken.add(sid)
        out.append(replace(s, session_id=sid))
    return out, sorted(shut)
