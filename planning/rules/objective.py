"""The objective's terms, each the objective of one stage (see planning.solver's STAGES):

- mandatory: learners of mandatory needs trained (pinned places are constants, left out);
- points: priority-weighted learner-days (learners x days x level weight x (1 + score/100));
- cost: pounds of cash (facility room-days, centre set-up and running, trainer-days) plus
  learner abstraction plus move_penalty per moved published session.

The fair-share stage's term comes from planning.rules.fair_share. The statement lives in
planning.facts; planning.validator.stage_values computes the same from concrete sessions."""

from __future__ import annotations

from typing import Any

from planning.facts import (
    OBJECTIVE_TERMS,
    abstraction_per_learner,
    priority_per_learner,
)
from planning.rules import PlanVars

STATED = OBJECTIVE_TERMS

__all__ = ["STATED", "add"]


def add(v: PlanVars, cash: Any = 0, moved: Any = 0) -> dict:
    problem = v.problem
    # pinned places are constants, counted so that each term is the plan's whole value, as
    # planning.validator.stage_values computes it. (Terms are summed once from lists: `+=` on
    # a CP-SAT sum may extend it in place, and a shared sum would leak into another term.)
    mandatory: list[Any] = []
    points: list[Any] = []
    abstraction: list[Any] = []
    for need in problem.needs:
        learners = [*v.y_by_need.get(need.need_id, [])]
        pinned = v.pinned_met.get(need.need_id, 0)
        if not learners and not pinned:
            continue
        trained = sum(learners) + pinned
        if need.mandatory:
            mandatory.append(trained)
        points.append(priority_per_learner(problem, need) * trained)
        abstraction.append(abstraction_per_learner(problem, need) * trained)
    cost = cash + v.pinned_cash() + sum(abstraction) + problem.weights.move_penalty * moved
    return {"mandatory": sum(mandatory), "points": sum(points), "cost": cost}
