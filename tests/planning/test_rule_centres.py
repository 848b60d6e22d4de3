from datetime import date

from tests.planning.builders import centre, need, outcome, problem, solved, venue


def test_a_centre_opens_when_only_it_can_host_the_course_and_the_need_is_worth_it():
    p = problem(needs=[need(features={"range"}, learners=20, class_max=20, level="Mandated",
                            mandatory=True)],
                venues=[venue()], centres=[centre(features={"range"})])  # fmt: skip
    result = solved(p)
    assert result.centres_opened == ("c1",)
    assert result.cost.centre_setup == 5000
    assert all(s.venue_kind == "centre" for s in result.sessions)


def test_a_centre_forced_shut_is_never_used():
    p = problem(needs=[need(features={"range"})], venues=[],
                centres=[centre(features={"range"}, forced=False)])  # fmt: skip
    result = solved(p)
    assert result.centres_opened == () and result.sessions == ()


def test_a_centre_forced_open_opens_even_when_unused():
    p = problem(needs=[need()], centres=[centre(forced=True)])
    assert solved(p).centres_opened == ("c1",)


def test_no_session_runs_in_a_centre_before_its_earliest_opening():
    opening = date(2027, 1, 25)
    p = problem(needs=[need(features={"range"}, mandatory=True, level="Mandated")], venues=[],
                centres=[centre(features={"range"}, earliest_opening=opening)])  # fmt: skip
    result = solved(p)
    assert result.sessions and all(s.starts_on >= opening for s in result.sessions)
    assert outcome(result, "n1").learners_met == 10
