"""The rules' CP-SAT model solved as a mixed-integer program by HiGHS (shipped in OR-Tools,
through MathOpt).

The rules (planning.rules) state one model, in CP-SAT's API. Every constraint they add is
linear, so the same model is a MIP: `LinearProgram` reads the model's proto once into a MathOpt
model, and each stage of planning.solver sets its own objective and adds rows that hold the
stages before it. HiGHS solves the LP relaxation first, so each stage gets a bound of its own,
and its randomised rounding of that LP gives a first plan within a second on the demo (where
CP-SAT spends its first seconds in presolve; measured by bench/optimiser.py).

Measured choices: HiGHS's own presolve is off (on the XL scenario it spent 25 s before the
first LP); no MIP start is given (with one, HiGHS skips the rounding that finds near-optimal
plans at the root and spends the stage in cut separation: the demo's second stage stayed 6%
from its bound for 4 s, and reached 0.00% in 0.8 s without it); one thread (HiGHS's MIP search
is serial). planning.solver keeps the better of a stage's plan and the plan before.

The time limit is hard: HiGHS checks its own limit and MathOpt's interrupter rarely in cut
separation (in-process, the XL priority stage ran 34 s past a 10 s limit), so each solve runs
in a forked process (`LinearProgram.solve`) that writes every improving plan to a file and
shares the best bound its log shows; GRACE seconds past the limit the process is ended and
that plan and bound are read back (measured by bench/highs_guard.py: 0.5-0.7 s past the
limit). A forked process that hangs (a lock another thread held when it was forked) is ended
the same way: the stage then keeps the plan before, never waits."""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import timedelta
from multiprocessing.connection import Connection
from typing import Any

from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model
from ortools.util.python.solve_interrupter import SolveInterrupter

INFINITE = 2**62  # CP-SAT's domains run to +-2^63 - 1: anything past this is unbounded
# A stage stops once its plan is this close to its bound: HiGHS finds such a plan by rounding
# the root LP within seconds, then can spend tens of seconds separating cuts that barely move
# the bound (XL: 142,461,322 against 142,500,824 at 5 s; the bound 142,498,823 at 36 s)
RELATIVE_GAP = 1e-3
# Seconds past a stage's time limit before its HiGHS process is ended (its answer, up to
# 50,000 values, takes well under this to come back once HiGHS stops)
GRACE = 0.5
_FORK = "fork" in multiprocessing.get_all_start_methods()


_REDIRECT = threading.Lock()


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """HiGHS 1.12 prints a debugging line to the process's stdout now and then (whatever its
    options say): while it solves, stdout goes to stderr, so that `trainplan optimise --json`
    prints its JSON alone."""
    with _REDIRECT:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            os.dup2(2, 1)
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


class NotLinear(ValueError):
    """The model has a constraint that is not a plain linear one (planning.solver then uses
    CP-SAT for every stage)."""


@dataclass(frozen=True)
class MipOutcome:
    status: str  # OPTIMAL FEASIBLE INFEASIBLE UNKNOWN
    values: list[float] | None  # per CP-SAT variable index, when a solution was found
    objective: float | None
    bound: float | None
    abandoned: bool = False  # HiGHS overran its limit: its process was ended, its last plan kept


def read_proto(model: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """The model's proto as a plain protocol buffer (through a file: the model's own proto
    object offers no serialisation)."""
    fd, path = tempfile.mkstemp(suffix=".pb")
    os.close(fd)
    try:
        if not model.export_to_file(path):
            raise OSError(f"could not write the model to {path}")
        with open(path, "rb") as handle:
            proto = cp_model_pb2.CpModelProto()
            proto.ParseFromString(handle.read())
    finally:
        os.unlink(path)
    return proto


def _bound(value: int) -> float:
    if value <= -INFINITE:
        return -float("inf")
    if value >= INFINITE:
        return float("inf")
    return float(value)


def math_model(proto: cp_model_pb2.CpModelProto) -> model_pb2.ModelProto:
    """The CP-SAT model as a MathOpt ModelProto: integers kept integer, no objective."""
    out = model_pb2.ModelProto()
    count = len(proto.variables)
    out.variables.ids.extend(range(count))
    out.variables.lower_bounds.extend(_bound(var.domain[0]) for var in proto.variables)
    out.variables.upper_bounds.extend(
        _bound(var.domain[len(var.domain) - 1]) for var in proto.variables
    )
    out.variables.integers.extend([True] * count)
    rows: list[int] = []
    columns: list[int] = []
    coefficients: list[float] = []
    lows: list[float] = []
    highs: list[float] = []
    for index, ct in enumerate(proto.constraints):
        if ct.WhichOneof("constraint") != "linear" or ct.enforcement_literal:
            raise NotLinear(f"constraint {index} ({ct.name or 'unnamed'}) is not plain linear")
        lin = ct.linear
        if len(lin.domain) != 2:
            raise NotLinear(f"constraint {index} ({ct.name or 'unnamed'}) has a split domain")
        lows.append(_bound(lin.domain[0]))
        highs.append(_bound(lin.domain[1]))
        terms: dict[int, float] = {}
        for var, coeff in zip(lin.vars, lin.coeffs, strict=True):
            terms[var] = terms.get(var, 0.0) + coeff
        for var in sorted(terms):  # MathOpt takes each row's columns in order
            rows.append(index)
            columns.append(var)
            coefficients.append(terms[var])
    out.linear_constraints.ids.extend(range(len(proto.constraints)))
    out.linear_constraints.lower_bounds.extend(lows)
    out.linear_constraints.upper_bounds.extend(highs)
    out.linear_constraint_matrix.row_ids.extend(rows)
    out.linear_constraint_matrix.column_ids.extend(columns)
    out.linear_constraint_matrix.coefficients.extend(coefficients)
    return out


class LinearProgram:
    """The model's constraints in MathOpt; stages change its objective and add rows, and each
    solve is interrupted when `cancel` is set."""

    def __init__(self, model: cp_model.CpModel) -> None:
        self.model = mathopt.Model.from_model_proto(math_model(read_proto(model)))
        self.vars = [self.model.get_variable(i) for i in range(len(model.proto.variables))]
        self.interrupter: SolveInterrupter | None = None
        self._stop = threading.Event()
        self._stall = 0.0  # tests: seconds the forked HiGHS waits before it answers

    def set_objective(self, coeffs: Mapping[int, float], *, offset: float, maximize: bool) -> None:
        objective = self.model.objective
        objective.clear()
        objective.is_maximize = maximize
        objective.offset = offset
        for index, coeff in coeffs.items():
            objective.set_linear_coefficient(self.vars[index], coeff)

    def add_row(self, coeffs: Mapping[int, float], low: float, high: float) -> None:
        row = self.model.add_linear_constraint(lb=low, ub=high)
        for index, coeff in coeffs.items():
            row.set_coefficient(self.vars[index], coeff)

    @contextmanager
    def fixed(self, values: Mapping[int, float]) -> Iterator[None]:
        """Within the block, the variables in `values` are fixed to those values."""
        saved = {i: (self.vars[i].lower_bound, self.vars[i].upper_bound) for i in values}
        for i, value in values.items():
            self.vars[i].lower_bound = self.vars[i].upper_bound = value
        try:
            yield
        finally:
            for i, (low, high) in saved.items():
                self.vars[i].lower_bound, self.vars[i].upper_bound = low, high

    def interrupt(self) -> None:
        """Stops the solve in progress: its process is ended and its best plan so far kept."""
        self._stop.set()
        if self.interrupter is not None:
            self.interrupter.interrupt()

    def solve(
        self,
        seconds: float,
        *,
        relative_gap: float = RELATIVE_GAP,
        start: Mapping[int, float] | None = None,
    ) -> MipOutcome:
        """Solves for at most `seconds` (and GRACE): HiGHS's own time limit and even its
        interrupter are checked rarely (cut separation on XL ran seconds past them), so HiGHS
        runs in a forked process that writes each improving plan to a file; a process still
        running GRACE seconds past the limit is ended and its last plan read back
        (`abandoned`). Where the platform cannot fork, HiGHS runs here with a timer that
        interrupts it."""
        try:
            if self._stop.is_set():  # interrupted before it began
                return MipOutcome("UNKNOWN", None, None, None)
            params, model_params = self._parameters(seconds, relative_gap, start)
            if not _FORK or multiprocessing.current_process().daemon:  # no children allowed
                return self._solve_here(seconds, params, model_params)
            return self._solve_forked(seconds, params, model_params)
        finally:
            self._stop = threading.Event()  # the next solve starts uninterrupted

    def _parameters(
        self, seconds: float, relative_gap: float, start: Mapping[int, float] | None
    ) -> tuple[mathopt.SolveParameters, mathopt.ModelSolveParameters | None]:
        params = mathopt.SolveParameters(
            time_limit=timedelta(seconds=max(0.05, seconds)),
            relative_gap_tolerance=relative_gap,
            presolve=mathopt.Emphasis.OFF,
            enable_output=bool(os.environ.get("TRAINPLAN_HIGHS_LOG")),
        )
        if not params.enable_output:  # HiGHS prints its banner to stdout otherwise
            params.highs.bool_options["output_flag"] = False
            params.highs.bool_options["log_to_console"] = False
        model_params = None
        if start is not None:  # a whole plan: HiGHS stops once the LP bound proves it close
            values = {self.vars[i]: float(x) for i, x in start.items()}
            model_params = mathopt.ModelSolveParameters(
                solution_hints=[mathopt.SolutionHint(variable_values=values)]
            )
        return params, model_params

    def _solve_here(
        self,
        seconds: float,
        params: mathopt.SolveParameters,
        model_params: mathopt.ModelSolveParameters | None,
    ) -> MipOutcome:
        self.interrupter = SolveInterrupter()
        if self._stop.is_set():
            self.interrupter.interrupt()
        timer = threading.Timer(seconds, self.interrupter.interrupt)
        timer.daemon = True
        timer.start()
        try:
            with _stdout_to_stderr():
                result = mathopt.solve(self.model, mathopt.SolverType.HIGHS, params=params,
                                       model_params=model_params,
                                       interrupter=self.interrupter)  # fmt: skip
        finally:
            timer.cancel()
        return _outcome(result, self.vars)

    def _solve_forked(
        self,
        seconds: float,
        params: mathopt.SolveParameters,
        model_params: mathopt.ModelSolveParameters | None,
    ) -> MipOutcome:
        fd, plans = tempfile.mkstemp(prefix="trainplan-highs-", suffix=".sol")
        os.close(fd)
        params.highs.bool_options["mip_improving_solution_save"] = True
        params.highs.bool_options["mip_improving_solution_report_sparse"] = True
        params.highs.string_options["mip_improving_solution_file"] = plans
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        bound = context.Value("d", math.nan, lock=False)  # the log's best bound, shared
        process = context.Process(
            target=_child,
            args=(self.model, self.vars, params, model_params, seconds, send, bound, self._stall),
            daemon=True,
        )
        deadline = time.monotonic() + seconds + GRACE
        try:
            sys.stdout.flush()  # else the child would write what is buffered a second time
            sys.stderr.flush()
            process.start()
            send.close()
            outcome = None
            while not self._stop.is_set():
                wait = deadline - time.monotonic()
                if wait <= 0:
                    break
                if receive.poll(min(wait, 0.05)):
                    try:
                        outcome = receive.recv()
                    except EOFError:  # ended without an answer: its last plan, if any
                        outcome = None
                    break
            if outcome is None:
                process.kill()
                process.join()
                outcome = _with_bound(
                    _last_plan(plans, len(self.vars)), bound.value, self.model.objective.is_maximize
                )
            process.join()
            return outcome
        finally:
            receive.close()
            if process.is_alive():
                process.kill()
                process.join()
            with suppress(OSError):
                os.unlink(plans)


def _child(
    model: mathopt.Model,
    variables: list[mathopt.Variable],
    params: mathopt.SolveParameters,
    model_params: mathopt.ModelSolveParameters | None,
    seconds: float,
    send: Connection,
    bound: Any,
    stall: float,
) -> None:
    """In the forked process: HiGHS's stray prints go to stderr (the parent's stdout stays
    its own), a timer interrupts HiGHS at the limit, each best bound its log shows is shared
    with the parent (`bound`), and the outcome goes back on `send`."""
    os.dup2(2, 1)
    interrupter = SolveInterrupter()
    timer = threading.Timer(seconds, interrupter.interrupt)
    timer.daemon = True
    timer.start()
    echo = bool(os.environ.get("TRAINPLAN_HIGHS_LOG"))

    def read_log(lines: list[str]) -> None:
        for line in lines:
            if echo:
                print(line, file=sys.stderr)
            value = _log_bound(line)
            if value is not None:
                bound.value = value

    params.enable_output = True  # to the callback, not the console
    result = mathopt.solve(model, mathopt.SolverType.HIGHS, params=params,
                           model_params=model_params, msg_cb=read_log,
                           interrupter=interrupter)  # fmt: skip
    outcome = _outcome(result, variables)
    if stall:  # tests: a HiGHS that does not come back in time
        time.sleep(stall)
    send.send(outcome)
    send.close()


def _outcome(result: mathopt.SolveResult, variables: list[mathopt.Variable]) -> MipOutcome:
    reason = result.termination.reason
    if reason == mathopt.TerminationReason.INFEASIBLE:
        return MipOutcome("INFEASIBLE", None, None, None)
    bound = result.termination.objective_bounds.dual_bound
    bound = bound if abs(bound) != float("inf") else None
    if not result.has_primal_feasible_solution():
        return MipOutcome("UNKNOWN", None, None, bound)
    values = result.variable_values(variables)
    objective = result.objective_value()
    proved = bound is not None and abs(bound - objective) <= 1e-6 * max(1.0, abs(objective))
    # OPTIMAL only when proved: HiGHS says so once within `relative_gap`
    status = "OPTIMAL" if proved else "FEASIBLE"
    return MipOutcome(status, list(values), objective, bound)


def _log_bound(line: str) -> float | None:
    """The best bound on a line of HiGHS's MIP log (the number after the explored share,
    `... 0.00%   142500824.23   0   Large ...`), when it is finite."""
    tokens = line.split()
    for i, token in enumerate(tokens[:-1]):
        if token.endswith("%"):
            try:
                value = float(tokens[i + 1])
            except ValueError:
                return None
            return value if math.isfinite(value) else None
    return None


def _with_bound(outcome: MipOutcome, bound: float, maximize: bool) -> MipOutcome:
    """`outcome` with the bound HiGHS's log last showed, where it is one (finite, and on the
    right side of the plan's objective)."""
    if not math.isfinite(bound):
        return outcome
    if outcome.objective is not None:
        slack = 1e-6 * max(1.0, abs(outcome.objective))
        if (bound < outcome.objective - slack) if maximize else (bound > outcome.objective + slack):
            return outcome
    return replace(outcome, bound=bound)


def _last_plan(path: str, count: int) -> MipOutcome:
    """The last whole plan HiGHS wrote to its improving-solution file: blocks of `Objective
    V`, then `# Columns N` and N lines `name value` in the model's variable order, or (sparse)
    `# Columns -K` and K lines `name value index` for the nonzero values. FEASIBLE (no bound of
    its own: the process was ended) or UNKNOWN when it wrote none; a block cut short where the
    process was ended is passed over."""
    try:
        with open(path) as handle:
            text = handle.read()
    except OSError:
        text = ""
    lines = text.split("\n")[:-1]  # the last piece is empty or a line cut short
    best: MipOutcome = MipOutcome("UNKNOWN", None, None, None, abandoned=True)
    i = 0
    while i + 1 < len(lines):
        head, columns = lines[i].split(), lines[i + 1].split()
        if len(head) != 2 or head[0] != "Objective" or columns[:2] != ["#", "Columns"]:
            i += 1
            continue
        size = int(columns[2])
        block = lines[i + 2 : i + 2 + abs(size)]
        i += 2 + abs(size)
        if len(block) < abs(size) or (size >= 0 and size != count):
            continue
        try:
            if size >= 0:
                values = [float(line.split()[-1]) for line in block]
            else:
                values = [0.0] * count
                for line in block:
                    *_, value, index = line.split()
                    values[int(index)] = float(value)
        except (ValueError, IndexError):
            continue
        best = MipOutcome("FEASIBLE", values, float(head[1]), None, abandoned=True)
    return best
