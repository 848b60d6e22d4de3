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
is serial). planning.solver keeps the better of a stage's plan and the plan before."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

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
        """Stops the solve in progress (HiGHS checks between its steps)."""
        if self.interrupter is not None:
            self.interrupter.interrupt()

    def solve(
        self,
        seconds: float,
        *,
        relative_gap: float = RELATIVE_GAP,
        start: Mapping[int, float] | None = None,
    ) -> MipOutcome:
        """Solves for at most `seconds`: HiGHS's own time limit is checked rarely (a stage
        overran by 4 s on the demo), so a timer interrupts it too."""
        self.interrupter = SolveInterrupter()
        timer = threading.Timer(seconds, self.interrupt)
        timer.daemon = True
        timer.start()
        try:
            return self._solve(seconds, relative_gap, start)
        finally:
            timer.cancel()

    def _solve(
        self, seconds: float, relative_gap: float, start: Mapping[int, float] | None
    ) -> MipOutcome:
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
        with _stdout_to_stderr():
            result = mathopt.solve(
                self.model,
                mathopt.SolverType.HIGHS,
                params=params,
                model_params=model_params,
                interrupter=self.interrupter,
            )
        reason = result.termination.reason
        if reason == mathopt.TerminationReason.INFEASIBLE:
            return MipOutcome("INFEASIBLE", None, None, None)
        bound = result.termination.objective_bounds.dual_bound
        bound = bound if abs(bound) != float("inf") else None
        if not result.has_primal_feasible_solution():
            return MipOutcome("UNKNOWN", None, None, bound)
        values = result.variable_values(self.vars)
        objective = result.objective_value()
        proved = bound is not None and abs(bound - objective) <= 1e-6 * max(1.0, abs(objective))
        # OPTIMAL only when proved: HiGHS says so once within `relative_gap`
        status = "OPTIMAL" if proved else "FEASIBLE"
        return MipOutcome(status, list(values), objective, bound)
