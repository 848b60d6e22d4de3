"""The search's stages, each reported in its own unit, each holding the ones before, and the
run in the planners' units."""

import json

from planning.service import summary
from planning.solver import solve
from tests.planning.builders import centre, group, need, problem, ranking, solved, venue


def _two_courses():
    return problem(
        needs=[
            need("ost", "g1", "OST", 24, days=2, class_min=4, class_max=12, level="Mandated",
                 mandatory=True),
            need("div", "g2", "DIV", 20, level="Desirable"),
        ],
        venues=[venue("v1", rooms=1), venue("v2", rooms=1, cost_per_day=300)],
        groups=[group("g1"), group("g2")],
    )  # fmt: skip


def test_every_stage_is_reported_in_its_own_unit_with_its_bound_and_gap():
    result = solved(_two_courses())
    units = {s.name: s.unit for s in result.stages}
    assert units == {
        "mandated learners": "learners",
        "fair share": "% of the worst-covered mandated need",
        "priority-weighted learner-days": "weighted learner-days",
        "cost": "pounds",
    }
    mandated = result.stages[0]
    assert mandated.objective == 24 and mandated.bound == 24 and mandated.gap == 0.0
    assert result.learners_met["Mandated"] == 24


def test_a_stage_with_no_time_left_says_so_and_the_greedy_plan_is_kept():
    p = _two_courses()
    result = solve(p, time_limit=0.05, workers=1, seed=1, diagnose=False)
    assert {s.status for s in result.stages} <= {"NOT_RUN", "TRIVIAL"}
    assert result.learners_met == result.baseline_learners_met
    for stage in result.stages:
        assert stage.objective == stage.start


def test_both_engines_reach_the_same_plan_values_on_a_small_problem():
    p = _two_courses()
    highs = solved(p, diagnose=False)
    cp_sat = solved(p, diagnose=False, engine="cp-sat")
    assert ranking(p, highs) == ranking(p, cp_sat)


def test_the_result_splits_cash_into_capital_and_revenue_and_names_groups_by_code():
    p = problem(
        needs=[need("ost", "tp", "OST", 40, days=2, class_min=4, class_max=20, features={"gym"},
                    level="Mandated", mandatory=True)],
        venues=[venue("v1")],
        centres=[centre("c1", capacity=20, features={"gym"}, setup_cost=5000)],
        groups=[group("tp")],
    )  # fmt: skip
    result = solved(p)
    data = json.loads(json.dumps(result.to_dict()))
    cash = data["cash_cost"]
    assert result.centres_opened == ("c1",)
    assert cash["capital"] == 5000 and cash["total"] == cash["capital"] + cash["revenue"]
    assert data["abstraction_cost"] == result.cost.learner_abstraction > 0
    assert all(u["group"] == "TP" for u in data["unmet"])


def test_a_run_recorded_before_the_stages_still_reads_in_planners_units():
    old = {"status": "FEASIBLE", "sessions": [], "objective": 45512256598560.0,
           "cost": {"total": 3911840, "centre_setup": 480000, "learner_abstraction": 14475960}}  # fmt: skip
    read = summary(old)
    assert read["cash_cost"] == {"total": 3911840, "capital": 480000, "revenue": 3431840}
    assert read["abstraction_cost"] == 14475960
    assert read["stages"] is None and read["unmet"] is None
