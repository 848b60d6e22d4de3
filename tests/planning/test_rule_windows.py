from datetime import date

from planning.model import Reason
from tests.planning.builders import kinds, need, outcome, problem, solved


def test_sessions_lie_inside_the_needs_window():
    p = problem(needs=[need(window_start=date(2027, 1, 18), window_end=date(2027, 1, 22))])
    result = solved(p)
    assert result.sessions
    for s in result.sessions:
        assert date(2027, 1, 18) <= s.starts_on and s.ends_on <= date(2027, 1, 22)


def test_a_window_shorter_than_the_course_is_too_narrow():
    p = problem(needs=[need(days=5, window_start=date(2027, 1, 5), window_end=date(2027, 1, 8))])
    result = solved(p)
    assert result.sessions == ()
    assert kinds(outcome(result, "n1")) == (Reason.WINDOW_TOO_NARROW,)


def test_a_window_whose_room_capacity_is_short_is_partly_met_and_too_narrow():
    one_day = date(2027, 1, 6)
    p = problem(needs=[need(learners=20, window_start=one_day, window_end=one_day)])
    result = solved(p)
    assert outcome(result, "n1").learners_met == 12
    # both are true: a wider window, or a second room that day, each gives it more
    assert set(kinds(outcome(result, "n1"))) == {Reason.WINDOW_TOO_NARROW, Reason.ROOMS_FULL}
