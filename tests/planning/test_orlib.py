import json
from pathlib import Path

import pytest

from bench.orlib import (
    exact_cost,
    published_optima,
    read_cap,
    solve_cap,
    solve_large,
    solve_strong,
    summary,
)

CAP = Path("/work/shared/benchmarks/orlib-cap")
HERE = Path(__file__).resolve().parents[2] / "bench" / "data" / "orlib-cap"
FOLDER = CAP if CAP.exists() else HERE
PUBLISHED = {"cap41": 1040444.375, "cap71": 932615.75}


def _instance(name):
    path = FOLDER / f"{name}.txt"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return read_cap(path)


def _cap41():
    return _instance("cap41")


def test_cap41_is_read_whole():
    instance = _cap41()
    assert len(instance.capacities) == 16 and len(instance.demands) == 50
    assert instance.fixed_costs[10] == 0 and instance.demands[0] == 146


@pytest.mark.parametrize("solver", ["scip", "highs"])
@pytest.mark.parametrize("name", ["cap41", "cap71"])
def test_the_strong_formulation_proves_the_published_optimum(name, solver):
    result = solve_strong(_instance(name), solver=solver, time_limit=30.0)
    assert result.proved and result.solver == solver
    assert result.found == pytest.approx(PUBLISHED[name], abs=1e-3)
    assert result.bound == pytest.approx(PUBLISHED[name], abs=1e-3)


def test_the_large_instance_search_finds_the_optimum_of_a_small_one_above_its_bound():
    instance = _cap41()
    result = solve_large(instance, time_limit=20.0)
    assert result.found == pytest.approx(PUBLISHED["cap41"], abs=1e-3)
    assert result.bound is not None and result.bound <= result.found + 1e-6
    opened = set(result.opened)
    assert sum(instance.capacities[i] for i in opened) >= sum(instance.demands)


def test_cap41_reaches_the_published_optimum_on_the_centre_opening_rule():
    instance = _cap41()
    result = solve_cap(instance, time_limit=20.0, workers=1, seed=0)
    assert result.status == "OPTIMAL"
    assert float(exact_cost(instance, result.opened, result.allocation)) == result.objective
    assert result.objective == pytest.approx(1040444.375, abs=1e-6)
    served = {}
    for (j, _), units in result.allocation.items():
        served[j] = served.get(j, 0) + units
    assert served == dict(enumerate(instance.demands))
    for i in range(16):
        load = sum(u for (_, w), u in result.allocation.items() if w == i)
        assert load <= (instance.capacities[i] if i in result.opened else 0)


def test_the_published_optima_of_capa_are_read_per_capacity():
    optima = published_optima(FOLDER / "capopt.txt")
    assert optima[("cap41", None)] == 1040444.375
    if FOLDER == CAP:
        assert optima[("capa", 8000)] == 19240822.449
        assert optima[("capc", 7250)] == 11505767.394
        assert len([key for key in optima if key[0] == "capb"]) == 4


def test_a_file_that_names_its_capacity_needs_one(tmp_path):
    worded = tmp_path / "worded.txt"
    worded.write_text("2 1\n capacity 5.\n capacity 7.\n7 1.0 2.0\n")
    with pytest.raises(ValueError, match="capacity is a word here"):
        read_cap(worded)
    assert read_cap(worded, 10).capacities == (10, 10)


def test_a_truncated_file_is_refused_with_the_place_it_broke(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("2 1\n10 5.\n10 5.\n7 1.0\n")
    with pytest.raises(ValueError, match="customer 1 has 1 of 2 costs"):
        read_cap(bad)


def test_the_summary_says_a_target_is_missed_when_one_instance_is_slow_or_short():
    row = {"optimum": 100.0, "found": 100.0, "gap": 0.0, "proved": True, "seconds": 0.5,
           "solver": "scip", "large": False}  # fmt: skip
    slow = {**row, "seconds": 2.5}
    large = {**row, "found": 100.2, "gap": 0.002, "proved": False, "large": True}
    assert summary([row])["small_target_met_scip"] is True
    assert summary([row, slow])["small_target_met_scip"] is False
    assert summary([row, large])["large_target_met"] is False
    assert summary([row, large])["max_gap"] == 0.002


def test_the_benchmark_prints_one_line_per_instance_and_a_summary(capsys):
    from bench.orlib import main

    path = FOLDER / "cap71.txt"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    assert main([str(path), "--solver", "highs,scip", "--time-limit", "30"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    rows, summary_line = lines[:-1], lines[-1]
    assert [r["solver"] for r in rows] == ["highs", "scip"]
    for row in rows:
        assert {"name", "capacity", "optimum", "found", "gap", "proved", "seconds"} <= set(row)
        assert row["name"] == "cap71" and row["capacity"] is None and row["proved"]
        assert abs(row["found"] - row["optimum"]) < 1e-3
    assert summary_line["runs"] == 2 and summary_line["at_optimum"] == 2
