from planning.model import NeedStatus, Reason
from tests.planning.builders import kinds, need, outcome, problem, solved, venue


def test_a_course_runs_only_where_every_feature_is():
    p = problem(
        needs=[need(features={"mat room"})],
        venues=[venue("plain", cost_per_day=10), venue("gym", features={"mat room"})],
    )
    result = solved(p)
    assert {s.venue_id for s in result.sessions} == {"gym"}
    assert outcome(result, "n1").status == NeedStatus.MET


def test_a_need_no_venue_can_host_is_unmet_for_want_of_a_suitable_venue():
    p = problem(needs=[need(features={"driving track"})], venues=[venue("plain")])
    result = solved(p)
    assert result.sessions == ()
    assert kinds(outcome(result, "n1")) == (Reason.NO_SUITABLE_VENUE,)


def test_a_venue_too_small_for_a_minimum_class_is_not_suitable():
    p = problem(needs=[need(class_min=8)], venues=[venue(capacity=6)])
    assert kinds(outcome(solved(p), "n1")) == (Reason.NO_SUITABLE_VENUE,)


def test_a_session_never_holds_more_than_the_venue_seats():
    p = problem(needs=[need(learners=20, class_min=2, class_max=30)], venues=[venue(capacity=8)])
    result = solved(p)
    assert all(sum(s.needs.values()) <= 8 for s in result.sessions)
    assert outcome(result, "n1").learners_met == 20
