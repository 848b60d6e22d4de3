from datetime import date

from planning.model import Reason
from tests.planning.builders import group, need, outcome, problem, solved


def test_a_need_out_ranked_by_a_higher_priority_says_so():
    day = date(2027, 1, 4)
    p = problem(needs=[need("hi", level="Mandated", mandatory=True, window_end=day),
                       need("lo", course="X", level="Optional", window_end=day)],
                ends_on=date(2027, 1, 8))  # fmt: skip
    result = solved(p)
    assert outcome(result, "lo").reasons == (Reason.OUT_RANKED,)


def test_allowance_and_budget_are_named_when_both_stop_a_need():
    p = problem(needs=[need(learners=24, class_min=1)], budget=400,
                groups=[group("g1", 10, 1.6)])  # fmt: skip
    reasons = outcome(solved(p), "n1").reasons
    assert Reason.ALLOWANCE_REACHED in reasons


def test_without_diagnosis_no_reason_is_given():
    p = problem(needs=[need(features={"x"})])
    assert outcome(solved(p, diagnose=False), "n1").reasons == ()


def test_a_met_need_has_no_reason():
    assert outcome(solved(problem()), "n1").reasons == ()
