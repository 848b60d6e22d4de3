"""The objective, in two terms solved one after the other (see planning.solver):

1. mandatory: learners of mandatory needs trained;
2. rest: PRIORITY_POUNDS x priority points (learners x days x level weight x (1 + score/100))
   minus cash cost minus learner abstraction minus move_penalty per moved published session.

The weights and the statement live in planning.facts; planning.validator.objective_value
computes the same from concrete sessions."""

from __future__ import annotations

from typing import Any

from planning.facts import (
    MANDATORY_WEIGHT,
    OBJECTIVE_TERMS,
    PRIORITY_POUNDS,
    abstraction_per_learner,
    priority_per_learner,
)
from planning.rules import PlanVars

STATED = OBJECTIVE_TERMS

__all__ = ["MANDATORY_WEIGHT", "PRIORITY_POUNDS", "STATED", "add"]


def add(v: PlanVars, cash: Any = 0, moved: Any = 0) -> dict:
    problem = v.problem
    mandatory = sum(sum(v.y_by_need.get(n.need_id, [])) for n in problem.needs if n.mandatory)
    points: Any = 0
    abstraction: Any = 0
    for need in problem.needs:
        ys = v.y_by_need.get(need.need_id)
        if not ys:
            continue
        points += priority_per_learner(problem, need) * sum(ys)
        abstraction += abstraction_per_learner(problem, need) * sum(ys)
    rest = PRIORITY_POUNDS * points - cash - abstraction - problem.weights.move_penalty * moved
    return {"mandatory": mandatory, "rest": rest}
