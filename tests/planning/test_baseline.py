from datetime import date

from planning.baseline import greedy
from planning.validator import validate
from tests.planning.builders import centre, group, need, problem, ranking, solved, venue


def _busy_problem():
    return problem(
        needs=[
            need("a", "g1", "FA", learners=30, level="Mandated", mandatory=True),
            need("b", "g2", "FA", learners=9, level="Desirable"),
            need("c", "g2", "PO", learners=20, days=2, features={"mat room"}),
            need("d", "g3", "DET", learners=8, days=5, class_min=6, level="Essential"),
        ],
        venues=[venue("v1", rooms=1), venue("gym", features={"mat room"}, cost_per_day=300)],
        centres=[centre(features={"mat room"})],
        groups=[group("g1"), group("g2"), group("g3", 10, 30.0)],
        ends_on=date(2027, 1, 22),
    )


def test_the_greedy_plan_is_valid():
    p = _busy_problem()
    plan = greedy(p)
    check = validate(p, plan)
    assert plan.status == "FEASIBLE" and check.ok, check.errors
    assert plan.objective == check.objective


def test_the_greedy_plan_is_never_better_than_the_optimiser():
    p = _busy_problem()
    assert ranking(p, greedy(p)) <= ranking(p, solved(p))
