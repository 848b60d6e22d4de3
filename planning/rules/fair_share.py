"""Fair shares: mandated coverage balanced across groups. One variable, `share`, at most every
fair-share need's coverage (learners trained, pinned places included, over learners demanded)
in hundredths of a per cent; the fair-share stage of planning.solver maximises it after the
mandated learners are held, so that the lowest-covered group's mandated course is raised
before any other priority is served. Needs that no site or window can take at all are left
out (capacity forbids them a share: planning.facts.fair_share_needs)."""

from __future__ import annotations

from planning.facts import SHARE_SCALE, fair_share_needs
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    needs = fair_share_needs(v)
    if not needs:
        return {"fair_share": 0}
    share = v.model.new_int_var(0, SHARE_SCALE, "fair_share")
    by_id = {n.need_id: n for n in v.problem.needs}
    for need_id, learners in needs.items():
        v.model.add(SHARE_SCALE * v.trained(by_id[need_id]) >= learners * share)
    return {"fair_share": share}
