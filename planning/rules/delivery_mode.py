"""Delivery mode: classroom and practical courses run in rooms; a blended course takes a room
for its classroom part only (its sessions are that many days long, planning.model.Need
.room_days, while the allowance, the priority points and the abstraction count every day);
an e-learning course takes no room at all. Its learners are placed on runs of the course at
the e-learning "site" (planning.facts.ONLINE: no room, no venue cost, every learner a place),
and still count against their group's allowance and, in the weeks they take it, against its
operational capability.

Which site a course may use at all is a fact (planning.facts.suitable, read by the variables'
creation in features_and_capacity, the greedy plan, the validator and the reasons alike);
this rule adds what follows from it: one run of an e-learning course a start day (a run has
a place for every learner, so one is enough), and no room counted for it
(planning.rules.rooms_and_schedule leaves the e-learning site out)."""

from __future__ import annotations

from planning.facts import ONLINE
from planning.rules import PlanVars


def add(v: PlanVars) -> dict:
    for (_, sk, _), var in v.n.items():
        if sk[0] == ONLINE:
            v.model.add(var <= 1)
    return {}
