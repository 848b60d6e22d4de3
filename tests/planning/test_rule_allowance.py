from planning.model import Reason
from tests.planning.builders import group, kinds, need, outcome, problem, solved


def test_a_group_trains_within_its_allowance():
    # 10 heads x 1.6 hours = 16 hours = two learner-days of 8 hours
    p = problem(needs=[need(learners=10, class_min=1)], groups=[group("g1", 10, 1.6)])
    result = solved(p)
    assert outcome(result, "n1").learners_met == 2
    assert kinds(outcome(result, "n1")) == (Reason.ALLOWANCE_REACHED,)


def test_a_generous_allowance_does_not_limit():
    p = problem(needs=[need(learners=10)], groups=[group("g1", 100, 40.0)])
    assert outcome(solved(p), "n1").learners_met == 10
