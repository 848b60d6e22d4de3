"""Why a need is not (fully) met, derived from the solver.

1. Structural: no facility or centre has the course's features and seats -> NO_SUITABLE_VENUE;
   no suitable site has a free run of days on the start grid inside the window ->
   WINDOW_TOO_NARROW.
2. Otherwise the model is re-solved with the need forced fully met and its group's allowance
   and the budget each guarded by an assumption literal. Infeasible: the literals in the
   sufficient assumptions for infeasibility name ALLOWANCE_REACHED / BUDGET_REACHED; an empty
   core means the free capacity in its window cannot take it (WINDOW_TOO_NARROW). Feasible:
   the need was OUT_RANKED by higher priorities. Needs of one course are first tried together
   (all feasible -> all out-ranked). Each solve has a short time limit; what is not decided
   in time is NOT_PROVEN.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace

from ortools.sat.python import cp_model

from planning.model import PlanningProblem, Reason, add_working_days
from planning.rules import CENTRE, PlanVars, inside, start_days, suitable

PER_SOLVE = 2.0  # seconds at most for one diagnostic solve
MIN_TIME = 0.5  # seconds: with less left, only the structural reasons are derived


def _structural_slots(problem: PlanningProblem) -> dict:
    """Per course (code, days): the grid start days at which some suitable site has a room free
    on every day; a course no site suits is absent."""
    v = PlanVars(problem)
    out = {}
    for course in v.courses:
        fitting = [site for site in v.sites if suitable(course, site)]
        if not fitting:
            continue
        starts = set()
        for start in start_days(problem, course.days):
            dates = add_working_days(start, course.days)
            for site in fitting:
                if site.kind == CENTRE and site.earliest and start < site.earliest:
                    continue
                if all(v.free(site, d) > 0 for d in dates):
                    starts.add(start)
                    break
        out[course.key] = starts
    return out


def diagnose(problem: PlanningProblem, sessions, *, time_limit: float = 5.0, seed: int = 0):
    from planning.solver import LARGE_MODEL, build

    deadline = time.monotonic() + time_limit
    trained: dict = defaultdict(int)
    for s in sessions:
        for nid, c in s.needs.items():
            trained[nid] += c
    short = [n for n in problem.needs if trained[n.need_id] < n.learners]
    if not short:
        return {}
    reasons: dict = {}
    open_cases = defaultdict(list)
    slots = _structural_slots(problem)
    for need in short:
        course_key = (need.course_code, need.session_days)
        starts = slots.get(course_key)
        if starts is None:
            reasons[need.need_id] = (Reason.NO_SUITABLE_VENUE,)
        elif not any(inside(need, start, need.session_days) for start in starts):
            reasons[need.need_id] = (Reason.WINDOW_TOO_NARROW,)
        else:
            open_cases[course_key].append(need)
    if not open_cases:
        return reasons
    if deadline - time.monotonic() < MIN_TIME:
        return {**reasons, **{n.need_id: (Reason.NOT_PROVEN,) for ns in open_cases.values()
                              for n in ns}}  # fmt: skip
    guards = ["budget"] + [f"allowance:{g.group_id}" for g in problem.groups]
    pinned = PlanVars(problem).pinned_met

    def forced(needs) -> tuple[str, list[str]]:
        left = deadline - time.monotonic()
        if left <= 0.05:
            return "UNKNOWN", []
        # Every other need may drop to its pinned places in the full model, so the question
        # "can these needs be fully met?" is the same on the problem where the others are cut
        # to their pinned places: a far smaller model, decided exactly.
        wanted = {n.need_id for n in needs}
        reduced = replace(problem, needs=tuple(
            n if n.need_id in wanted else replace(n, learners=min(n.learners,
                                                                   pinned.get(n.need_id, 0)))
            for n in problem.needs
        ))  # fmt: skip
        v, _ = build(reduced, guards=guards)
        model = v.model
        for need in needs:
            model.add(v.trained(need) >= need.learners)
        groups = {f"allowance:{n.group_id}" for n in needs} & set(v.guards)
        names = ["budget", *sorted(groups)]
        literals = [v.guards[g] for g in names]
        model.add_assumptions(literals)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = min(PER_SOLVE, left)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        if len(model.proto.variables) > LARGE_MODEL:
            solver.parameters.cp_model_presolve = False
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            core = set(solver.sufficient_assumptions_for_infeasibility())
            by_index = {lit.index: name for lit, name in zip(literals, names, strict=False)}
            return "INFEASIBLE", sorted(by_index[i] for i in core if i in by_index)
        return solver.status_name(status), []

    for needs in open_cases.values():
        if len(needs) > 1:
            status, _ = forced(needs)
            if status in ("OPTIMAL", "FEASIBLE"):
                for need in needs:
                    reasons[need.need_id] = (Reason.OUT_RANKED,)
                continue
        for need in needs:
            status, core = forced([need])
            if status in ("OPTIMAL", "FEASIBLE"):
                reasons[need.need_id] = (Reason.OUT_RANKED,)
            elif status == "INFEASIBLE":
                found = []
                if any(name.startswith("allowance:") for name in core):
                    found.append(Reason.ALLOWANCE_REACHED)
                if "budget" in core:
                    found.append(Reason.BUDGET_REACHED)
                reasons[need.need_id] = tuple(found) or (Reason.WINDOW_TOO_NARROW,)
            else:
                reasons[need.need_id] = (Reason.NOT_PROVEN,)
    return reasons
