from pathlib import Path

import pytest

from bench.orlib import exact_cost, read_cap, solve_cap

CAP = Path("/work/shared/benchmarks/orlib-cap")
HERE = Path(__file__).resolve().parents[2] / "benchmarks" / "orlib-cap"
FOLDER = CAP if CAP.exists() else HERE


def _cap41():
    path = FOLDER / "cap41.txt"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return read_cap(path)


def test_cap41_is_read_whole():
    instance = _cap41()
    assert len(instance.capacities) == 16 and len(instance.demands) == 50
    assert instance.fixed_costs[10] == 0 and instance.demands[0] == 146


def test_cap41_reaches_the_published_optimum():
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


def test_a_truncated_file_is_refused_with_the_place_it_broke(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("2 1\n10 5.\n10 5.\n7 1.0\n")
    with pytest.raises(ValueError, match="customer 1 has 1 of 2 costs"):
        read_cap(bad)
