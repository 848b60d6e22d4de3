"""Trainer pools: a session needs its course's trainers, of the course's discipline, on each of
its days; per discipline and working day, the trainers the sessions running that day take
(pinned sessions included) stay within those its pools have at work that day (their trainers
less those on leave, sick or training themselves: planning.model.TrainerPool). Pools of one
discipline are shared by every group. A course whose discipline no pool has is limited by
nothing here (its trainers are only a cost). For diagnosis a discipline can be guarded by a
literal (`v.guards["trainers:<discipline>"]`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from domain.calendar import add_working_days
from planning.facts import trainers_available, trainers_used
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    available = trainers_available(v.problem)
    if not available:
        return {}
    pinned = trainers_used(v.problem, [s for s in v.problem.previous if s.pinned])
    at_work: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for (ck, _, start), var in v.n.items():
        course = v.course(ck)
        if course.discipline in available and course.trainers > 0:
            for day in add_working_days(start, course.days):
                at_work[(course.discipline, day)].append(course.trainers * var)
    for (discipline, day), terms in sorted(at_work.items()):
        free = available[discipline].get(day, 0) - pinned.get((discipline, day), 0)
        ct = v.model.add(sum(terms) <= max(0, free))
        guard = v.guard(f"trainers:{discipline}")
        if guard is not None:
            ct.only_enforce_if(guard)
    return {}
