"""`trainplan optimise CYCLE --json` end to end: one JSON object in the planners' units."""

import json
from pathlib import Path

from tests.e2e.test_demo_command import trainplan

LEVELS = {"Mandated", "Essential", "Desirable", "Optional"}


def test_optimise_prints_the_run_as_one_json_object_in_the_planners_units(
    database_url: str, tmp_path: Path
):
    made = trainplan("demo", "--time-limit", "5", "--no-publish", database_url=database_url,
                     cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    done = trainplan("optimise", "2003/04", "--json", "--time-limit", "20",
                     database_url=database_url, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # nothing else on stdout
    assert [s["name"] for s in data["stages"]] == [
        "mandated learners", "fair share", "priority-weighted learner-days", "cost"
    ]  # fmt: skip
    for stage in data["stages"]:
        assert {"name", "status", "objective", "bound", "gap", "unit"} <= set(stage)
    assert set(data["learners_met"]) == LEVELS == set(data["baseline_learners_met"])
    assert data["learners_met"]["Mandated"] >= data["baseline_learners_met"]["Mandated"]
    assert set(data["cash_cost"]) == {"total", "capital", "revenue"}
    assert data["cash_cost"]["total"] == data["cash_cost"]["capital"] + data["cash_cost"]["revenue"]
    assert data["abstraction_cost"] > 0
    assert data["unmet"], "the demo's gyms cannot take every officer"
    codes = {"TP", "SO", "SC", "CO", "HR"}
    for short in data["unmet"]:
        assert short["group"] in codes and short["learners"] > 0 and short["reasons"]
    assert not any("out-ranked" in r for s in data["unmet"] if s["level"] == "Mandated"
                   for r in s["reasons"])  # fmt: skip
