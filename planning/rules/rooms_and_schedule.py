"""Rooms and schedule: per site per working day, the sessions running that day never exceed
the rooms its schedule leaves free (after taken rooms, closures, opening and closing dates and
pinned sessions). Rooms of a site are interchangeable, so a per-day count is exact.
E-learning takes no room (planning.rules.delivery_mode)."""

from __future__ import annotations

from collections import defaultdict

from domain.calendar import add_working_days
from planning.facts import ONLINE
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    running: dict = defaultdict(list)
    for (ck, sk, start), var in v.n.items():
        if sk[0] == ONLINE:
            continue
        for day in add_working_days(start, ck[1]):
            running[(sk, day)].append(var)
    for (sk, day), vars_ in running.items():
        free = v.free(v.site(sk), day)
        if len(vars_) > 1 or free < 1:
            v.model.add(sum(vars_) <= free)
    return {}
