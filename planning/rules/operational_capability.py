"""Operational capability: per business group, the learners away training in any week (in a
session on any day of it, pinned sessions included) stay within the share of its headcount
that its board sets (planning.model.Group.away_limit; 5% unless the board says otherwise, see
domain.groups). For diagnosis a group's limit can be guarded by a literal
(`v.guards["capability:<group_id>"]`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from planning.facts import pinned_away, weeks_of
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    limits = {g.group_id: g.away_limit for g in v.problem.groups if g.away_percent < 100}
    if not limits:
        return {}
    group_of = {n.need_id: n.group_id for n in v.problem.needs}
    away: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for (need_id, start), var in v.y.items():
        group_id = group_of[need_id]
        if group_id in limits:
            for week in weeks_of(start, v.course_of(need_id).days):
                away[(group_id, week)].append(var)
    pinned = pinned_away(v.problem)
    for (group_id, week), learners in sorted(away.items()):
        limit = limits[group_id] - pinned.get((group_id, week), 0)
        ct = v.model.add(sum(learners) <= max(0, limit))
        guard = v.guard(f"capability:{group_id}")
        if guard is not None:
            ct.only_enforce_if(guard)
    return {}
