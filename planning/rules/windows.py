"""Windows: a need's learners are trained only by sessions lying inside its window.
Creates y[need, start], the learners of the need in sessions of its course starting that day."""

from __future__ import annotations

from planning.facts import inside
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    starts_by_course: dict = {}
    for ck, _, start in v.n:
        starts_by_course.setdefault(ck, set()).add(start)
    for course in v.courses:
        for need in course.needs:
            remaining = v.remaining(need)
            if remaining <= 0:
                continue
            for start in sorted(starts_by_course.get(course.key, ())):
                if inside(need, start, course.days):
                    v.y[(need.need_id, start)] = v.model.new_int_var(
                        0, remaining, f"y[{need.need_id},{start}]"
                    )
    v.index()
    for course in v.courses:
        for need in course.needs:
            ys = v.y_by_need.get(need.need_id)
            if ys:  # never more learners than the need has (pinned places included)
                v.model.add(sum(ys) <= v.remaining(need))
    return {}
