"""The CP-SAT planning model: counts of sessions per course, site and start day.

`build` applies the rules of planning.rules in order; `solve` runs the two lexicographic stages
(mandatory learners, then the rest), streams incumbents to `on_progress`, reads the counts out
as plain numbers, and hands them to planning.report (concrete sessions, outcomes, utilisation,
cost and moves). The reasons of needs left short are found by planning.reasons, which
re-solves through `fully_met` here. This is the one module that builds and runs a CP-SAT model.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from ortools.sat.python import cp_model

from planning import reasons, report
from planning.baseline import greedy
from planning.model import Need, PlanningProblem, PlanningResult, Reason, Session
from planning.rules import (
    PlanVars,
    allowance,
    budget,
    centres,
    class_size,
    features_and_capacity,
    objective,
    pinning,
    rooms_and_schedule,
    windows,
)
from planning.validator import check_problem, objective_value, validate

OBJECTIVE_TERMS = objective.STATED
STAGE_ONE_SHARE = 0.4  # of the search time, for maximising mandatory learners
LARGE_MODEL = 20_000  # variables; above this presolve is skipped on short solves...
PRESOLVE_MIN_SECONDS = 15.0  # ...that is, solves given less than this
PER_DIAGNOSIS = 2.0  # seconds at most for one diagnostic solve (see planning.reasons)


@dataclass(frozen=True)
class Progress:
    objective: float
    bound: float
    gap: float
    elapsed: float
    solutions: int


def build(problem: PlanningProblem, guards: Iterable[str] = ()) -> tuple[PlanVars, dict[str, Any]]:
    """The model with every rule applied; returns the container and the objective terms.
    The rules named in `guards` (see planning.reasons.guards_of) hold only when their
    enforcement literal does."""
    v = PlanVars(problem)
    v.guard_rules(guards)
    features_and_capacity.add(v)
    windows.add(v)
    class_size.add(v)
    rooms_and_schedule.add(v)
    allowance.add(v)
    setup = centres.add(v)["centre_setup"]
    cash = budget.add(v, setup=setup)["cash"]
    moved = pinning.add(v)["moved"]
    terms = objective.add(v, cash=cash, moved=moved)
    return v, terms


class _Stream(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        on_progress: Callable[[Progress], None] | None,
        started: float,
        offset_scale: float,
        offset: float,
    ) -> None:
        super().__init__()
        self.on_progress, self.started = on_progress, started
        self.scale, self.offset = offset_scale, offset
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.on_progress is None:
            return
        obj, bound = self.objective_value, self.best_objective_bound
        obj, bound = self.offset + self.scale * obj, self.offset + self.scale * bound
        self.on_progress(
            Progress(
                obj,
                bound,
                abs(bound - obj) / max(1.0, abs(obj)),
                time.monotonic() - self.started,
                self.count,
            )
        )


def _run(
    model: cp_model.CpModel,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    cancel: threading.Event | None,
    callback: cp_model.CpSolverSolutionCallback,
) -> tuple[cp_model.CpSolver, Any]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if len(model.proto.variables) > LARGE_MODEL and time_limit < PRESOLVE_MIN_SECONDS:
        # a big count model spends seconds in presolve before the search starts from the hint:
        # with little time, skip it so that the hint is the first incumbent
        solver.parameters.cp_model_presolve = False
    done = threading.Event()

    def watch(cancel: threading.Event) -> None:
        while not done.is_set():
            if cancel.wait(0.05):
                solver.stop_search()
                return

    watcher = (
        threading.Thread(target=watch, args=(cancel,), daemon=True) if cancel is not None else None
    )
    if watcher:
        watcher.start()
    try:
        status = solver.solve(model, callback)
    finally:
        done.set()
        if watcher:
            watcher.join()
    return solver, status


def _maximize(model: cp_model.CpModel, expr: Any) -> None:
    if isinstance(expr, (int, float)):  # nothing to decide: a constant objective
        expr = model.new_constant(0)
    model.maximize(expr)


def _hint(v: PlanVars, plan: PlanningResult) -> None:
    counts: dict[Any, int] = defaultdict(int)
    learners: dict[Any, int] = defaultdict(int)
    for s in plan.sessions:
        if s.pinned:
            continue
        counts[((s.course_code, s.days), (s.venue_kind, s.venue_id), s.starts_on)] += 1
        for nid, c in s.needs.items():
            learners[(nid, s.starts_on)] += c
    v.model.clear_hints()
    for key, var in v.n.items():
        v.model.add_hint(var, min(counts.get(key, 0), v.n_ub[key]))
    for need_start, var in v.y.items():
        v.model.add_hint(var, learners.get(need_start, 0))
    for cid, var in v.opened.items():
        v.model.add_hint(var, cid in plan.centres_opened)


def _plan(v: PlanVars, value: Callable[[Any], int]) -> tuple[list[Session], list[str]]:
    """The solved counts read out as plain numbers, expanded to concrete sessions; and the
    centres opened."""
    counts = {key: int(value(var)) for key, var in v.n.items()}
    learners = {key: int(value(var)) for key, var in v.y.items()}
    opened = sorted(cid for cid, var in v.opened.items() if value(var))
    return report.expand(v, counts, learners), opened


def fully_met(
    problem: PlanningProblem,
    needs: Sequence[Need],
    assumed: Sequence[str],
    seconds: float,
    *,
    seed: int = 0,
) -> tuple[str, list[str]]:
    """Can `needs` all be fully met? The check planning.reasons.diagnose is handed: every rule
    reasons.guards_of names is guarded, those in `assumed` are assumed to hold; when
    infeasible, the assumed rules in the sufficient assumptions for infeasibility."""
    v, _ = build(problem, guards=reasons.guards_of(problem))
    model = v.model
    for need in needs:
        model.add(v.trained(need) >= need.learners)
    literals = [v.guards[name] for name in assumed]
    model.add_assumptions(literals)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = min(PER_DIAGNOSIS, seconds)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if len(model.proto.variables) > LARGE_MODEL:
        solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        core = set(solver.sufficient_assumptions_for_infeasibility())
        by_index = {lit.index: name for lit, name in zip(literals, assumed, strict=True)}
        return "INFEASIBLE", sorted(by_index[i] for i in core if i in by_index)
    return solver.status_name(status), []


def solve(
    problem: PlanningProblem,
    *,
    time_limit: float = 10.0,
    workers: int = 1,
    seed: int = 0,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    hint: PlanningResult | None = None,
    diagnose: bool = True,
) -> PlanningResult:
    errors = check_problem(problem)
    if errors:
        raise ValueError("invalid planning problem: " + "; ".join(errors))
    if time_limit <= 0 or workers < 1:
        raise ValueError("time_limit must be positive and workers at least 1")
    started = time.monotonic()
    settings: dict[str, Any] = {"time_limit": time_limit, "workers": workers, "seed": seed}
    if hint is None:
        hint = greedy(problem)
    built = time.monotonic()
    v, terms = build(problem)
    build_seconds = time.monotonic() - built
    mandatory_ids = {n.need_id for n in problem.needs if n.mandatory}
    _hint(v, hint)
    # diagnosis rebuilds the model with guards: keep its build time and 15% for its solves
    # and 5% for turning counts into sessions and checking them
    budget_time = time_limit * 0.95 - (0.15 * time_limit + build_seconds if diagnose else 0.0)
    # stage 1: mandatory learners
    _maximize(v.model, terms["mandatory"])
    stream = _Stream(None, started, 1.0, 0.0)
    stage1_time = (budget_time - (time.monotonic() - started)) * STAGE_ONE_SHARE
    s1, st1 = _run(v.model, time_limit=stage1_time, workers=workers, seed=seed,
                   cancel=cancel, callback=stream)  # fmt: skip
    cancelled = cancel is not None and cancel.is_set()
    if st1 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        mandatory = round(s1.objective_value)
        mandatory_slack = max(0.0, s1.best_objective_bound - s1.objective_value)
        stage1 = s1.value
    elif st1 == cp_model.UNKNOWN and hint.sessions and not cancelled:
        # no solution in stage one's time: hold the hint's mandatory learners instead
        mandatory = sum(
            c for x in hint.sessions if not x.pinned for nid, c in x.needs.items()
            if nid in mandatory_ids
        )  # fmt: skip
        mandatory_slack = None
        stage1 = None
    else:
        name = "CANCELLED" if cancelled else s1.status_name(st1)
        return PlanningResult(name, None, None, time.monotonic() - started, OBJECTIVE_TERMS,
                              settings=settings)  # fmt: skip
    # stage 2: the rest, with mandatory learners held
    if not isinstance(terms["mandatory"], (int, float)):
        v.model.add(terms["mandatory"] >= mandatory)
    hint_mandatory = sum(
        c for x in hint.sessions if not x.pinned for nid, c in x.needs.items()
        if nid in mandatory_ids
    )  # fmt: skip
    if stage1 is not None and mandatory > hint_mandatory:  # else the baseline's hint stays
        v.model.clear_hints()
        for var in [*v.n.values(), *v.y.values(), *v.opened.values(), *v.kept.values()]:
            v.model.add_hint(var, stage1(var))
    _maximize(v.model, terms["rest"])
    w = objective.MANDATORY_WEIGHT
    stream = _Stream(on_progress, started, 1.0, w * mandatory)
    remaining = max(0.05, budget_time - (time.monotonic() - started))
    cancelled = cancel is not None and cancel.is_set()
    s2, st2 = (
        (s1, st1)
        if cancelled
        else _run(
            v.model,
            time_limit=remaining,
            workers=workers,
            seed=seed,
            cancel=cancel,
            callback=stream,
        )
    )
    solved2 = st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE) and not cancelled
    sessions: Sequence[Session]
    opened: Sequence[str]
    if solved2:
        sessions, opened = _plan(v, s2.value)
        name = s2.status_name(st2)
    elif stage1 is not None:
        sessions, opened = _plan(v, stage1)
        name = "FEASIBLE"
    else:
        sessions, opened = hint.sessions, hint.centres_opened
        name = "FEASIBLE"
    if (
        hint.sessions
        and objective_value(problem, sessions, opened)
        < objective_value(problem, hint.sessions, hint.centres_opened)
        and validate(problem, hint).ok
    ):  # never worse than a valid plan it was given
        sessions, opened = hint.sessions, hint.centres_opened
        name = "FEASIBLE"
    if name == "OPTIMAL" and (mandatory_slack is None or mandatory_slack > 0):
        name = "FEASIBLE"
    if cancel is not None and cancel.is_set():
        name = "CANCELLED"
    gap_terms = (
        None
        if mandatory_slack is None or not solved2
        else w * mandatory_slack + max(0.0, s2.best_objective_bound - s2.objective_value)
    )
    settings["stages"] = {
        "mandatory_learners": mandatory,
        "mandatory_bound": None if mandatory_slack is None else mandatory + mandatory_slack,
        "mandatory_status": s1.status_name(st1),
        "rest": s2.objective_value if solved2 else None,
        "rest_bound": s2.best_objective_bound if solved2 else None,
        "rest_status": s2.status_name(st2) if not cancelled else "CANCELLED",
    }
    why: dict[str, tuple[Reason, ...]] = {}
    if diagnose and not (cancel is not None and cancel.is_set()):
        why = reasons.diagnose(problem, sessions, partial(fully_met, seed=seed),
                               time_limit=time_limit - (time.monotonic() - started))  # fmt: skip
    return report.result(problem, sessions, opened, status=name, started=started,
                         settings=settings, slack=gap_terms, reasons=why)  # fmt: skip


__all__ = ["Progress", "build", "fully_met", "solve"]
