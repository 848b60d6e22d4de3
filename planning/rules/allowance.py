"""Allowance: per group, the hours its learners spend in training (learners x days x hours per
day, pinned places included) stay within headcount x allowance hours per head. Compared in
hundredths of an hour. For diagnosis a group's allowance can be guarded by a literal
(`v.guards["allowance:<group_id>"]`)."""

from __future__ import annotations

from planning.facts import allowance_limit, allowance_units
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    for group in v.problem.groups:
        needs = [n for n in v.problem.needs if n.group_id == group.group_id]
        if not needs:
            continue
        used = sum(allowance_units(v.problem, n) * v.trained(n) for n in needs)
        ct = v.model.add(used <= allowance_limit(group.allowance_hours))
        guard = v.guard(f"allowance:{group.group_id}")
        if guard is not None:
            ct.only_enforce_if(guard)
    return {}
