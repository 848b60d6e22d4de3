"""planning.mip's hard time limit: HiGHS runs in a process of its own that is ended past its
limit, and the plan it had is kept."""

import random

from ortools.sat.python import cp_model

from planning.mip import LinearProgram, MipOutcome, _last_plan, _log_bound, _with_bound


def _knapsacks(items=300, rows=30, seed=7):
    """A multidimensional knapsack HiGHS cannot prove optimal in a fraction of a second."""
    rng = random.Random(seed)
    model = cp_model.CpModel()
    take = [model.new_bool_var(f"take{j}") for j in range(items)]
    weights = [[rng.randint(5, 60) for _ in range(items)] for _ in range(rows)]
    for row in weights:
        model.add(sum(w * x for w, x in zip(row, take, strict=True)) <= sum(row) // 3)
    values = [rng.randint(10, 80) for _ in range(items)]
    return model, take, weights, values


def _program(model, values):
    program = LinearProgram(model)
    program.set_objective(dict(enumerate(values)), offset=0.0, maximize=True)
    return program


def _fits(weights, plan):
    return all(
        sum(w * round(x) for w, x in zip(row, plan, strict=False)) <= sum(row) // 3
        for row in weights
    )


def test_a_stage_cut_short_keeps_its_start_plan_or_a_better_one():
    model, take, weights, values = _knapsacks()
    program = _program(model, values)
    start = {j: 1.0 if j < 20 else 0.0 for j in range(len(take))}
    assert _fits(weights, list(start.values()))
    out = program.solve(0.3, relative_gap=0.0, start=start)
    assert out.status == "FEASIBLE" and out.values is not None
    assert _fits(weights, out.values)
    assert out.objective >= sum(values[:20]) - 1e-6


def test_a_highs_that_does_not_come_back_is_ended_and_its_last_plan_read_back():
    model, take, weights, values = _knapsacks()
    program = _program(model, values)
    program._stall = 60.0  # the forked HiGHS answers a minute late: the guard must not wait
    start = {j: 1.0 if j < 20 else 0.0 for j in range(len(take))}
    out = program.solve(0.3, relative_gap=0.0, start=start)
    assert out.abandoned and out.status == "FEASIBLE" and out.bound is None
    assert out.values is not None and _fits(weights, out.values)
    assert out.objective == sum(v * round(x) for v, x in zip(values, out.values, strict=True))
    assert out.objective >= sum(values[:20]) - 1e-6


def test_a_stage_that_finishes_in_time_is_not_abandoned():
    model = cp_model.CpModel()
    x = model.new_int_var(0, 10, "x")
    y = model.new_int_var(0, 10, "y")
    model.add(x + 2 * y <= 14)
    program = LinearProgram(model)
    program.set_objective({0: 3.0, 1: 4.0}, offset=0.0, maximize=True)
    out = program.solve(5.0, relative_gap=0.0)
    assert out.status == "OPTIMAL" and not out.abandoned
    assert out.objective == 38.0 and out.values == [10.0, 2.0]


def test_a_plan_cut_short_in_the_file_is_passed_over_for_the_whole_one_before(tmp_path):
    plans = tmp_path / "plans.sol"
    plans.write_text(
        "Objective 5\n# Columns 3\nc0 1\nc1 0\nc2 1\nObjective 7\n# Columns 3\nc0 1\nc1 1\n"
    )
    out = _last_plan(str(plans), 3)
    assert out.status == "FEASIBLE" and out.objective == 5.0 and out.values == [1.0, 0.0, 1.0]
    assert _last_plan(str(tmp_path / "none.sol"), 3).status == "UNKNOWN"


def test_a_sparse_plan_gives_its_nonzero_values_and_a_last_line_cut_short_is_not_read(tmp_path):
    plans = tmp_path / "sparse.sol"
    plans.write_text(
        "Objective 5\n# Columns -2\nx0 1 0\nx2 3 2\nObjective 9\n# Columns -2\nx0 1 0\nx2 4.5"
    )
    out = _last_plan(str(plans), 3)
    assert out.objective == 5.0 and out.values == [1.0, 0.0, 3.0]


def test_the_best_bound_is_read_from_highs_log_lines_and_kept_only_where_it_bounds_the_plan():
    line = "         0       0         0   0.00%   21797602.57738  37296   Large   0   0   3   2054   2.9s"
    assert _log_bound(line) == 21797602.57738
    assert _log_bound(" z  0  0  0   0.00%   inf   -0   Large  0  0  0  0  0.1s") is None
    assert _log_bound("Solving report") is None
    plan = MipOutcome("FEASIBLE", [1.0], 37296.0, None, abandoned=True)
    assert _with_bound(plan, 21797602.5, maximize=True).bound == 21797602.5
    assert _with_bound(plan, 100.0, maximize=True).bound is None  # below the plan: not a bound
    assert _with_bound(plan, 100.0, maximize=False).bound == 100.0


def test_where_the_platform_cannot_fork_highs_solves_in_this_process(monkeypatch):
    monkeypatch.setattr("planning.mip._FORK", False)
    model, _, weights, values = _knapsacks(items=40, rows=4)
    program = _program(model, values)
    out = program.solve(10.0, relative_gap=0.0)
    assert out.status == "OPTIMAL" and not out.abandoned
    assert out.values is not None and _fits(weights, out.values)


def test_a_solve_interrupted_while_it_runs_keeps_its_start_plan():
    import threading

    model, take, weights, values = _knapsacks()
    program = _program(model, values)
    start = {j: 1.0 if j < 20 else 0.0 for j in range(len(take))}
    threading.Timer(0.5, program.interrupt).start()
    out = program.solve(60.0, relative_gap=0.0, start=start)
    assert out.status == "FEASIBLE" and out.values is not None and _fits(weights, out.values)
    assert out.objective >= sum(values[:20]) - 1e-6
    assert program.solve(1.0, relative_gap=0.0, start=start).status == "FEASIBLE"


def test_a_solve_interrupted_before_it_began_finds_nothing():
    model, _, _, values = _knapsacks(items=40, rows=4)
    program = _program(model, values)
    program.interrupt()
    assert program.solve(5.0, relative_gap=0.0).status == "UNKNOWN"
    assert program.solve(5.0, relative_gap=0.0).status == "OPTIMAL"  # the next one runs
