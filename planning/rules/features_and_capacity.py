"""Features and capacity: a course runs only at a site that has every feature it needs and
seats for a minimum class. Creates the session-count variables n[course, site, start]."""

from __future__ import annotations

from domain.calendar import add_working_days
from planning.facts import inside, opens_in_time, start_days, suitable
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    for course in v.courses:
        starts = [
            s
            for s in start_days(v.problem, course.days)
            if any(inside(need, s, course.days) and v.remaining(need) > 0 for need in course.needs)
        ]
        for site in v.sites:
            if not suitable(course, site):
                continue
            for start in starts:
                if not opens_in_time(site, start):
                    continue
                room = min(v.free(site, d) for d in add_working_days(start, course.days))
                if room > 0:
                    v.n_ub[(course.key, site.key, start)] = room
                    v.n[(course.key, site.key, start)] = v.model.new_int_var(
                        0,
                        room,
                        f"n[{course.code}/{course.days},{site.kind}:{site.site_id},{start}]",
                    )
    return {}
