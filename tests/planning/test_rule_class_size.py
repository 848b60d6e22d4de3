from planning.model import NeedStatus
from tests.planning.builders import need, outcome, problem, solved


def test_every_session_has_between_class_min_and_class_max_learners():
    p = problem(needs=[need(learners=25, class_min=6, class_max=10)])
    result = solved(p)
    assert all(6 <= sum(s.needs.values()) <= 10 for s in result.sessions)
    assert outcome(result, "n1").learners_met == 25


def test_fewer_learners_than_a_class_minimum_run_no_session():
    p = problem(needs=[need(learners=3, class_min=4)])
    result = solved(p)
    assert result.sessions == ()
    assert outcome(result, "n1").status == NeedStatus.UNMET


def test_pooled_needs_take_the_tightest_class_size():
    p = problem(needs=[need("a", class_max=12, learners=8), need("b", "g2", class_max=9,
                                                                  learners=8)])  # fmt: skip
    assert all(sum(s.needs.values()) <= 9 for s in solved(p).sessions)


def test_a_class_minimum_above_the_maximum_is_refused_naming_the_field():
    import pytest

    from planning.solver import solve

    with pytest.raises(ValueError, match=r"needs\[n1\]\.class_min/class_max"):
        solve(problem(needs=[need(class_min=14, class_max=12)]), workers=1)
