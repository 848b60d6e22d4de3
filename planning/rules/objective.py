"""The objective, in two terms solved one after the other (see planning.solver):

1. mandatory: learners of mandatory needs trained;
2. rest: PRIORITY_POUNDS x priority points (learners x days x level weight x (1 + score/100))
   minus cash cost minus learner abstraction minus move_penalty per moved published session.

planning.validator.objective_value computes the same from concrete sessions."""

from __future__ import annotations

from planning.rules import PlanVars, priority_per_learner

PRIORITY_POUNDS = 1000.0  # one priority point (an Optional learner-day) is worth this much cost
MANDATORY_WEIGHT = 1e9  # reporting only: stage one maximises mandatory learners outright

STATED = (
    "lexicographic by two CP-SAT solves: first maximise learners of mandatory needs trained; "
    f"then, with that fixed, maximise {PRIORITY_POUNDS:g} x priority-weighted learner-days "
    "(level weight x (1 + score/100)) minus cash cost (facility room-days, centre set-up and "
    "running, "
    "trainer-days) minus learner abstraction cost minus move_penalty per moved published "
    f"session. Reported objective = {MANDATORY_WEIGHT:g} x mandatory learners + the second term."
)


def add(v: PlanVars, cash=0, moved=0) -> dict:
    problem = v.problem
    mandatory = sum(sum(v.y_by_need.get(n.need_id, [])) for n in problem.needs if n.mandatory)
    points = 0
    abstraction = 0
    for need in problem.needs:
        ys = v.y_by_need.get(need.need_id)
        if not ys:
            continue
        points += priority_per_learner(problem, need) * sum(ys)
        abstraction += need.days * problem.weights.abstraction_cost_per_learner_day * sum(ys)
    rest = PRIORITY_POUNDS * points - cash - abstraction - problem.weights.move_penalty * moved
    return {"mandatory": mandatory, "rest": rest}
