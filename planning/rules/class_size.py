"""Pooling and class size: the sessions of a course starting on one day pool the learners of
all its needs (any group); together they seat between class_min per session and, per session,
min(class_max, the site's capacity). Any total in that range can be split into sessions that
each respect both limits, so the concrete sessions are built after the solve."""

from __future__ import annotations

from planning.facts import seats
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    for (ck, start), counts in v.by_course_start.items():
        course = v.course(ck)
        learners = v.y_by_course_start.get((ck, start), [])
        sessions = sum(var for _, var in counts)
        if not learners:
            for _, var in counts:
                v.model.add(var == 0)
            continue
        trained = sum(learners)
        v.model.add(trained <= sum(var * seats(course, v.site(sk)) for sk, var in counts))
        if course.class_min > 0:
            v.model.add(trained >= course.class_min * sessions)
    return {}
