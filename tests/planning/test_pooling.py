from datetime import date

from tests.planning.builders import need, outcome, problem, solved, venue


def test_two_groups_needs_of_one_course_share_a_session():
    day = date(2027, 1, 4)
    p = problem(
        needs=[need("a", "g1", learners=5, window_end=day),
               need("b", "g2", learners=6, window_end=day)],
        venues=[venue(rooms=1)], ends_on=day,
    )  # fmt: skip
    result = solved(p)
    (session,) = result.sessions
    assert session.needs == {"a": 5, "b": 6}
    assert session.learners == {"g1": 5, "g2": 6}
    assert outcome(result, "a").learners_met == 5 and outcome(result, "b").learners_met == 6


def test_pooling_lets_needs_below_the_class_minimum_run_together():
    p = problem(needs=[need("a", "g1", learners=3, class_min=5),
                       need("b", "g2", learners=3, class_min=5)])  # fmt: skip
    result = solved(p)
    assert len(result.sessions) == 1 and sum(result.sessions[0].needs.values()) == 6
