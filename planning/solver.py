"""The planning model and its lexicographic search.

`build` applies the rules of planning.rules in order (the one list of rules: a new rule is one
more line there) and returns the model with the objective terms the rules return. `solve` runs
the STAGES one after the other, each in its own units, each holding the value the stages
before it reached (fractional ones to within HOLD_TOLERANCE):

1. mandated learners (learners, maximised);
2. fair share: the lowest coverage of any group's mandated need (per cent, maximised);
3. priority-weighted learner-days (maximised);
4. cost (pounds: cash + learner abstraction + moves, minimised).

Every stage starts from the best plan so far: first the greedy plan (planning.baseline), so a
run never publishes a plan worse than it; a stage that finds nothing better keeps that plan and
says so (NO_BETTER). The stages are solved by HiGHS on the same model read as a MIP
(planning.mip: an LP bound for every stage and first plans in seconds) when every rule is
linear, else by CP-SAT with the plan so far as its hint. Each HiGHS stage first shares out the
learners again within the sessions and centres of the plan so far (a small problem, quickly
solved), then searches the whole model. Time is shared by measurement: what is left after the
greedy plan and the model's build is split over the stages by STAGE_WEIGHTS, a stage that
proves its optimum early leaves its time to the next, and DIAGNOSIS_SHARE of the limit is kept
for the reasons (planning.reasons), which re-solve through `capacity` here. The counts are read
out as plain numbers and reported by planning.report. This is the one module that runs a
CP-SAT model.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ortools.sat.python import cp_model, cp_model_helper

from planning import reasons, report
from planning.baseline import fill, greedy
from planning.facts import (
    SHARE_SCALE,
    abstraction_per_learner,
    fair_share_needs,
    priority_per_learner,
    session_key,
)
from planning.mip import LinearProgram, NotLinear
from planning.model import PlanningProblem, PlanningResult, Session, Shortfall, StageOutcome
from planning.rules import (
    PlanVars,
    allowance,
    budget,
    centres,
    class_size,
    delivery_mode,
    fair_share,
    features_and_capacity,
    objective,
    operational_capability,
    pinning,
    rooms_and_schedule,
    trainers,
    windows,
)
from planning.validator import check_problem, stage_values, validate

log = logging.getLogger("trainplan.planning")

OBJECTIVE_TERMS = objective.STATED
MAXIMISE, MINIMISE = "maximise", "minimise"


@dataclass(frozen=True)
class StageSpec:
    key: str  # the objective term (planning.rules.objective, planning.rules.fair_share)
    name: str
    unit: str
    sense: str
    scale: float = 1.0  # term units per reported unit
    exact: bool = True  # held exactly; else to within HOLD_TOLERANCE (fractional weights)
    # A later stage's term the stage's objective leans to, by a weight too small to trade any
    # of its own value (see _tie_break): a stage's plan is then good for the stages after it,
    # and a run whose later stages find nothing (no time) does not publish a plan that is best
    # in mandated learners and arbitrary in all else (XL at 60 s under load: Essential 0).
    tie_break: tuple[str, ...] = ()


STAGES = (
    # (a fair-share tie-break too made the demo's first LP three times slower: measured)
    StageSpec("mandatory", "mandated learners", "learners", MAXIMISE, tie_break=("points",)),
    StageSpec(
        "fair_share",
        "fair share",
        "% of the worst-covered mandated need",
        MAXIMISE,
        scale=100.0,
        tie_break=("points",),
    ),
    StageSpec(
        "points",
        "priority-weighted learner-days",
        "weighted learner-days",
        MAXIMISE,
        exact=False,
        tie_break=("cost",),
    ),
    StageSpec("cost", "cost", "pounds", MINIMISE, exact=False),
)
STAGE_WEIGHTS = (0.4, 0.25, 0.2, 0.15)  # shares of the search time left when each stage starts
DIAGNOSIS_SHARE = 0.15  # of the time limit, kept for the reasons of needs left short
FINISH_SHARE = 0.03  # of the time limit, for turning counts into sessions and reporting
MIN_STAGE_SECONDS = 0.2
# Variables above which the first stage has no tie-break (measured under load: the demo, 14,000
# variables, 3.6 s to its optimum with it; XL, 50,000, no plan in 98 s with it)
LARGE_MODEL = 20_000
RESPLIT_SHARE = 0.25  # of a stage's time, for sharing out learners in the sessions so far
PER_CHECK = 2.0  # seconds at most for one counterfactual of the reasons
TOLERANCE = 1e-6  # relative: a stage value this much better is better
HOLD_TOLERANCE = 1e-4  # relative: a stage with fractional coefficients is held this close


@dataclass(frozen=True)
class Progress:
    """A plan found during a run, in the units of the stage that found it."""

    objective: float
    bound: float | None
    gap: float | None
    elapsed: float
    solutions: int
    stage: str = ""
    unit: str = ""


def build(problem: PlanningProblem, guards: Iterable[str] = ()) -> tuple[PlanVars, dict[str, Any]]:
    """The model with every rule applied; returns the container and the objective terms.
    Keep rules linear (planning.mip solves the model as a MIP; anything else falls back to
    CP-SAT). The rules named in `guards` hold only when their enforcement literal does."""
    v = PlanVars(problem)
    v.guard_rules(guards)
    features_and_capacity.add(v)
    windows.add(v)
    class_size.add(v)
    rooms_and_schedule.add(v)
    delivery_mode.add(v)
    allowance.add(v)
    operational_capability.add(v)
    trainers.add(v)
    setup = centres.add(v)["centre_setup"]
    cash = budget.add(v, setup=setup)["cash"]
    moved = pinning.add(v)["moved"]
    terms = objective.add(v, cash=cash, moved=moved)
    terms.update(fair_share.add(v))
    return v, terms


# --- plans in the model's variables -----------------------------------------------------------


def _hint_values(v: PlanVars, sessions: Sequence[Session], opened: Iterable[str]) -> dict[int, int]:
    """A plan as values of the model's count, learner, centre and kept variables."""
    counts: dict[Any, int] = defaultdict(int)
    learners: dict[Any, int] = defaultdict(int)
    opened = set(opened)
    for s in sessions:
        if s.pinned:
            continue
        counts[((s.course_code, s.days), (s.venue_kind, s.venue_id), s.starts_on)] += 1
        for nid, c in s.needs.items():
            learners[(nid, s.starts_on)] += c
    out = {var.index: min(counts.get(key, 0), v.n_ub[key]) for key, var in v.n.items()}
    out.update({var.index: learners.get(key, 0) for key, var in v.y.items()})
    out.update({var.index: int(cid in opened) for cid, var in v.opened.items()})
    kept = {session_key(s) for s in sessions if not s.pinned}
    for p in v.problem.previous:
        if p.session_id in v.kept:
            out[v.kept[p.session_id].index] = int(session_key(p) in kept)
    return out


def _plan(v: PlanVars, value: Callable[[Any], int]) -> tuple[list[Session], list[str]]:
    """The solved counts read out as plain numbers, expanded to concrete sessions; and the
    centres opened."""
    counts = {key: int(value(var)) for key, var in v.n.items()}
    learners = {key: int(value(var)) for key, var in v.y.items()}
    opened = sorted(cid for cid, var in v.opened.items() if value(var))
    return report.expand(v, counts, learners), opened


def _reader(values: dict[int, int]) -> Callable[[Any], int]:
    return lambda var: values[var.index]


def _flat(expr: Any) -> tuple[dict[int, float], float]:
    flat = cp_model_helper.FlatFloatExpr(expr)
    coeffs: dict[int, float] = defaultdict(float)
    for var, coeff in zip(flat.vars, flat.coeffs, strict=True):
        coeffs[var.index] += coeff
    return dict(coeffs), flat.offset


def _is_constant(expr: Any) -> bool:
    return isinstance(expr, (int, float)) or not _flat(expr)[0]


def _margin(value: float, exact: bool) -> float:
    return 0.0 if exact else HOLD_TOLERANCE * max(1.0, abs(value))


@dataclass
class _Found:
    status: str
    values: dict[int, int] | None  # by variable index
    bound: float | None
    engine: str


class _Mip:
    """The stages on HiGHS (planning.mip)."""

    name = "HiGHS"

    def __init__(self, v: PlanVars, cancel: threading.Event | None) -> None:
        self.program = LinearProgram(v.model)
        self.cancel = cancel
        self.count = len(self.program.vars)
        # the decisions about sessions and centres; learners are the rest
        self.sessions = [var.index for var in [*v.n.values(), *v.opened.values(),
                                               *v.kept.values()]]  # fmt: skip

    def solve(
        self, expr: Any, sense: str, seconds: float, hint: dict[int, int], resplit: bool = False
    ) -> _Found:
        """With `resplit`, the sessions and centres of `hint` are kept and only the learners
        are shared out again: a small problem HiGHS solves in a fraction of the time. A
        `hint` that gives every variable (a plan of an earlier stage) is HiGHS's start: with
        the tie-breaks it is near the stage's optimum, and HiGHS stops once its LP bound
        proves that (without one, HiGHS's own rounding of the LP finds better plans than a
        distant start would let it: measured, see planning.mip)."""
        coeffs, offset = _flat(expr)
        self.program.set_objective(coeffs, offset=offset, maximize=sense == MAXIMISE)
        start = hint if len(hint) == self.count else None
        with _watching(self.cancel, self.program.interrupt):
            if resplit:
                with self.program.fixed({i: hint.get(i, 0) for i in self.sessions}):
                    out = self.program.solve(seconds, start=start)
            else:
                out = self.program.solve(seconds, start=start)
        values = None
        if out.values is not None:
            values = {i: round(x) for i, x in enumerate(out.values)}
        return _Found(out.status, values, out.bound, self.name)

    def hold(self, expr: Any, value: float, sense: str, exact: bool) -> None:
        coeffs, offset = _flat(expr)
        slack = _margin(value, exact) + 1e-6
        if sense == MAXIMISE:
            self.program.add_row(coeffs, value - offset - slack, float("inf"))
        else:
            self.program.add_row(coeffs, -float("inf"), value - offset + slack)


class _CpSat:
    """The stages on CP-SAT, each hinted with the plan so far."""

    name = "CP-SAT"

    def __init__(self, v: PlanVars, workers: int, seed: int, cancel: threading.Event | None,
                 on_solution: Callable[[float, float], None]) -> None:  # fmt: skip
        self.v, self.workers, self.seed, self.cancel = v, workers, seed, cancel
        self.on_solution = on_solution

    def solve(
        self, expr: Any, sense: str, seconds: float, hint: dict[int, int], resplit: bool = False
    ) -> _Found:
        model = self.v.model
        model.clear_hints()
        for var_index, value in hint.items():
            model.add_hint(model.get_int_var_from_proto_index(var_index), value)
        if sense == MAXIMISE:
            model.maximize(expr)
        else:
            model.minimize(expr)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
        with _watching(self.cancel, solver.stop_search):
            status = solver.solve(model, _Callback(self.on_solution))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _Found(solver.status_name(status), None, None, self.name)
        values = {i: int(solver.value(model.get_int_var_from_proto_index(i)))
                  for i in range(len(model.proto.variables))}  # fmt: skip
        return _Found(solver.status_name(status), values, solver.best_objective_bound, self.name)

    def hold(self, expr: Any, value: float, sense: str, exact: bool) -> None:
        """CP-SAT takes integer rows only: fractional weights are scaled by the least power of
        ten that makes them whole (else the stage's acceptance test alone holds the value)."""
        coeffs, offset = _flat(expr)
        scale = next((10**k for k in range(5) if all(
            abs(c * 10**k - round(c * 10**k)) < 1e-9 for c in [*coeffs.values(), offset]
        )), None)  # fmt: skip
        if scale is None:
            return
        model = self.v.model
        row = sum(round(c * scale) * model.get_int_var_from_proto_index(i)
                  for i, c in coeffs.items()) + round(offset * scale)  # fmt: skip
        target = scale * value
        margin = scale * _margin(value, exact)
        if sense == MAXIMISE:
            model.add(row >= math.floor(target - margin + 1e-9))
        else:
            model.add(row <= math.ceil(target + margin - 1e-9))


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_solution: Callable[[float, float], None]) -> None:
        super().__init__()
        self.on_solution = on_solution

    def on_solution_callback(self) -> None:
        self.on_solution(self.objective_value, self.best_objective_bound)


@contextmanager
def _watching(cancel: threading.Event | None, stop: Callable[[], None]) -> Iterator[None]:
    """Calls `stop` when `cancel` is set while the block runs."""
    if cancel is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if cancel.wait(0.05):
                stop()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _better(new: float, old: float, sense: str) -> bool:
    margin = TOLERANCE * max(1.0, abs(old))
    return new > old + margin if sense == MAXIMISE else new < old - margin


def _no_worse(new: dict[str, float], old: dict[str, float], upto: int) -> bool:
    """`new` keeps every stage before `upto` at least as good as `old`."""
    for spec in STAGES[:upto]:
        margin = _margin(old[spec.key], spec.exact) + 1e-6
        if spec.sense == MAXIMISE and new[spec.key] < old[spec.key] - margin:
            return False
        if spec.sense == MINIMISE and new[spec.key] > old[spec.key] + margin:
            return False
    return True


def _ranges(problem: PlanningProblem) -> dict[str, float]:
    """How large each term can be: bounds for the tie-break weights."""
    needs = problem.needs
    points = sum(priority_per_learner(problem, n) * n.learners for n in needs)
    abstraction = sum(abstraction_per_learner(problem, n) * n.learners for n in needs)
    cost = problem.budget + abstraction + problem.weights.move_penalty * len(problem.previous)
    return {"points": max(1.0, points), "cost": max(1.0, cost), "fair_share": float(SHARE_SCALE)}


def _tie_break(
    spec: StageSpec,
    terms: dict[str, Any],
    ranges: dict[str, float],
    value: float,
    large: bool = False,
) -> tuple[Any, float]:
    """The stage's objective with its tie-breaks, and how far they can lift the bound above
    the stage's own: together they weigh less than half a unit of an exact stage (whole
    learners, hundredths of a per cent) and less than a tenth of the hold tolerance of a
    fractional one, so no plan gives up its own value for them."""
    expr = terms[spec.key]
    if spec.key == "mandatory" and large:
        return expr, 0.0  # XL: HiGHS found no plan in 98 s with it, the optimum in 3-12 s without
    ties = [s for s in STAGES if s.key in spec.tie_break and not _is_constant(terms[s.key])]
    if not ties:
        return expr, 0.0
    room = (0.5 if spec.exact else 0.1 * HOLD_TOLERANCE * max(1.0, abs(value))) / len(ties)
    lift = 0.0
    for tie in ties:
        sign = 1.0 if tie.sense == spec.sense else -1.0
        expr = expr + sign * (room / ranges[tie.key]) * terms[tie.key]
        lift += room if sign < 0 else 0.0
    return expr, lift


def _trivial_bound(problem: PlanningProblem, spec: StageSpec) -> float | None:
    if spec.key == "mandatory":
        return float(sum(n.learners for n in problem.needs if n.mandatory))
    if spec.key == "fair_share":
        return float(SHARE_SCALE)
    return None


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
    engine: str = "auto",
) -> PlanningResult:
    """The best plan the stages find within `time_limit` seconds; `engine` is auto (HiGHS
    when every rule is linear, else CP-SAT), highs or cp-sat."""
    errors = check_problem(problem)
    if errors:
        raise ValueError("invalid planning problem: " + "; ".join(errors))
    if time_limit <= 0 or workers < 1:
        raise ValueError("time_limit must be positive and workers at least 1")
    if engine not in ("auto", "highs", "cp-sat"):
        raise ValueError("engine must be auto, highs or cp-sat")
    started = time.monotonic()
    deadline = started + time_limit
    settings: dict[str, Any] = {"time_limit": time_limit, "workers": workers, "seed": seed}
    start = greedy(problem)
    if hint is not None and validate(problem, hint).ok:
        start = hint
    timings: dict[str, float] = {"start_plan": time.monotonic() - started}
    progress_count = 0

    def tell(stage: str, unit: str, value: float, bound: float | None) -> None:
        nonlocal progress_count
        progress_count += 1
        if on_progress is not None:
            gap = None if bound is None else abs(bound - value) / max(abs(value), abs(bound), 1)
            on_progress(Progress(value, bound, gap, time.monotonic() - started, progress_count,
                                 stage, unit))  # fmt: skip

    mark = time.monotonic()
    v, terms = build(problem)
    shares = fair_share_needs(v)
    timings["build"] = time.monotonic() - mark
    best_sessions, best_opened = tuple(start.sessions), tuple(start.centres_opened)
    best = stage_values(problem, best_sessions, best_opened, shares=shares)
    best_vector = _hint_values(v, best_sessions, best_opened)
    tell("start plan", STAGES[0].unit, best["mandatory"], None)
    current: dict[str, Any] = {"spec": STAGES[0]}

    def on_solution(value: float, bound: float) -> None:
        spec = current["spec"]
        tell(spec.name, spec.unit, value / spec.scale, bound / spec.scale)

    mark = time.monotonic()
    runner: _Mip | _CpSat
    if engine != "cp-sat":
        try:
            runner = _Mip(v, cancel)
        except NotLinear:
            if engine == "highs":
                raise
            runner = _CpSat(v, workers, seed, cancel, on_solution)
    else:
        runner = _CpSat(v, workers, seed, cancel, on_solution)
    timings["load"] = time.monotonic() - mark
    reserve = (DIAGNOSIS_SHARE if diagnose else 0.0) * time_limit + FINISH_SHARE * time_limit
    ranges = _ranges(problem)
    stages: list[StageOutcome] = []
    held = False  # a stage's value is held as a row: an infeasible solve may be its margin's
    infeasible = False  # the rules themselves admit no plan (found before any row was held)
    for i, spec in enumerate(STAGES):
        current["spec"] = spec
        expr = terms[spec.key]
        before = best[spec.key]
        mark = time.monotonic()
        left = deadline - reserve - mark
        seconds = left * STAGE_WEIGHTS[i] / sum(STAGE_WEIGHTS[i:])
        ceiling = _trivial_bound(problem, spec)
        if _is_constant(expr) or (ceiling is not None and before >= ceiling):
            status, bound, used = "TRIVIAL", before, ""
        elif (cancel is not None and cancel.is_set()) or seconds < MIN_STAGE_SECONDS:
            status, bound, used = "NOT_RUN", None, ""
        else:
            improved = False
            if spec.key == "points":  # the greedy plan laid around the plan so far
                sessions, opened = fill(problem, best_sessions, best_opened)
                candidate = stage_values(problem, sessions, opened, shares=shares)
                if _better(candidate[spec.key], best[spec.key], spec.sense) and _no_worse(
                    candidate, best, i
                ):
                    best_sessions, best_opened, best = tuple(sessions), tuple(opened), candidate
                    best_vector = _hint_values(v, best_sessions, best_opened)
                    improved = True
            large = len(v.model.proto.variables) > LARGE_MODEL
            goal, lift = _tie_break(spec, terms, ranges, before, large)
            attempts = (
                [(True, seconds * RESPLIT_SHARE)] if i > 0 and isinstance(runner, _Mip) else []
            )
            for resplit, share in [*attempts, (False, 0.0)]:
                budget_s = (
                    share if resplit else max(MIN_STAGE_SECONDS, mark + seconds - time.monotonic())
                )
                found = runner.solve(goal, spec.sense, budget_s, best_vector, resplit)
                if not resplit and not held and found.status == "INFEASIBLE":
                    infeasible = True
                if not resplit:
                    status, bound, used = found.status, found.bound, found.engine
                    if bound is not None:  # the stage's own bound, from the tie-broken one
                        bound += lift if spec.sense == MAXIMISE else -lift
                        if spec.exact:
                            bound = (
                                math.floor(bound + 1e-6)
                                if spec.sense == MAXIMISE
                                else (math.ceil(bound - 1e-6))
                            )
                if found.values is None:
                    continue
                values = found.values
                sessions, opened = _plan(v, _reader(values))
                candidate = stage_values(problem, sessions, opened, shares=shares)
                if _better(candidate[spec.key], best[spec.key], spec.sense) and _no_worse(
                    candidate, best, i
                ):
                    best_sessions, best_opened, best = tuple(sessions), tuple(opened), candidate
                    best_vector = values
                    improved = True
            if infeasible:
                status = "INFEASIBLE"
            elif not improved and status != "OPTIMAL":
                status = "NO_BETTER"
            elif status == "UNKNOWN":
                status = "FEASIBLE"
        if bound is not None:  # a bound is never worse than the plan held
            bound = (
                max(bound, best[spec.key]) if spec.sense == MAXIMISE else min(bound, best[spec.key])
            )
            if status == "FEASIBLE" and abs(bound - best[spec.key]) <= 1e-9 * max(
                1.0, abs(best[spec.key])
            ):
                status = "OPTIMAL"  # the plan reaches the stage's own bound
        stages.append(StageOutcome(
            spec.name, spec.unit, spec.sense, status, best[spec.key] / spec.scale,
            None if bound is None else bound / spec.scale, time.monotonic() - mark,
            before / spec.scale, used,
        ))  # fmt: skip
        tell(spec.name, spec.unit, best[spec.key] / spec.scale,
             None if bound is None else bound / spec.scale)  # fmt: skip
        if infeasible:
            break
        if i + 1 < len(STAGES) and not _is_constant(expr):
            runner.hold(expr, best[spec.key], spec.sense, spec.exact)
            held = True
    if infeasible:  # no plan keeps every rule: none is offered (the start plan breaks one)
        settings["stages"] = {s.name: s.status for s in stages}
        settings["engine"] = runner.name
        return report.result(
            problem, (), (), status="INFEASIBLE", started=started, settings=settings,
            stages=tuple(stages), baseline=start,
        )  # fmt: skip
    verdict = validate(problem, replace(start, sessions=best_sessions, centres_opened=best_opened))
    if not verdict.ok:  # never offer a plan that breaks a rule: the start plan keeps them all
        log.error(
            "the search's plan breaks a rule (%s): the start plan is offered instead",
            "; ".join(verdict.errors[:3]),
        )
        settings["rejected"] = verdict.errors[:5]
        best_sessions, best_opened = tuple(start.sessions), tuple(start.centres_opened)
        best = stage_values(problem, best_sessions, best_opened, shares=shares)
        stages = [
            replace(s, status="NO_BETTER", objective=best[spec.key] / spec.scale)
            for s, spec in zip(stages, STAGES, strict=False)
        ]
    cancelled = cancel is not None and cancel.is_set()
    proved = all(s.status in ("OPTIMAL", "TRIVIAL") for s in stages)
    name = "CANCELLED" if cancelled else "OPTIMAL" if proved else "FEASIBLE"
    settings["stages"] = {s.name: s.status for s in stages}
    settings["engine"] = runner.name
    why: dict[str, Any] = {}
    shortfalls: tuple[Shortfall, ...] = ()
    if diagnose and not cancelled:
        mark = time.monotonic()
        why, shortfalls = reasons.diagnose(
            problem, best_sessions, partial(capacity, seed=seed), opened=best_opened,
            time_limit=max(DIAGNOSIS_SHARE * time_limit, deadline - time.monotonic()),
        )  # fmt: skip
        timings["diagnosis"] = time.monotonic() - mark
    settings["timings"] = {k: round(x, 3) for k, x in timings.items()}
    first = stages[0] if stages else None
    return report.result(
        problem, best_sessions, best_opened, status=name, started=started, settings=settings,
        reasons=why, stages=tuple(stages), baseline=start, shortfalls=shortfalls,
        objective=None if first is None else first.objective,
        bound=None if first is None else first.bound,
    )  # fmt: skip


def capacity(
    problem: PlanningProblem,
    wanted: Sequence[str],
    floors: Mapping[str, int],
    seconds: float,
    *,
    seed: int = 0,
) -> reasons.Counterfactual:
    """The most learners `wanted` can have together in `problem`, each need in `floors`
    keeping at least that many (the check planning.reasons.diagnose is handed; its problems
    are frozen to one course, so the model is small and CP-SAT proves it quickly)."""
    v, _ = build(problem)
    needs = {n.need_id: n for n in problem.needs}
    for need_id, floor in floors.items():
        if floor > 0:
            v.model.add(v.trained(needs[need_id]) >= floor)
    goal = sum(v.trained(needs[nid]) for nid in wanted)
    if isinstance(goal, int):
        return reasons.Counterfactual("OPTIMAL", {nid: goal for nid in wanted})
    v.model.maximize(goal)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, min(PER_CHECK, seconds))
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(v.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return reasons.Counterfactual(solver.status_name(status), {})
    trained = {nid: int(solver.value(v.trained(n))) for nid, n in needs.items()
               if v.y_by_need.get(nid)}  # fmt: skip
    return reasons.Counterfactual(solver.status_name(status), trained)


__all__ = ["STAGES", "Progress", "build", "capacity", "solve"]
