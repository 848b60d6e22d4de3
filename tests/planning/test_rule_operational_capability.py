"""Operational capability: per group, the learners away training in any week stay within the
share of its headcount that its board sets."""

from dataclasses import replace

from planning.model import Group, Reason, Session
from planning.validator import away_by_week, check_problem, validate
from tests.planning.builders import MONDAY, kinds, need, outcome, problem, solved, venue


def board(percent: float, headcount: int = 200) -> Group:
    return Group("g1", "SO", "Specialist Operations", headcount, 400.0, percent)


def test_a_group_within_its_weekly_limit_is_trained_in_full():
    # 5% of 200 = 10 a week; 40 learners over the four weeks of January
    p = problem(needs=[need(learners=40, class_min=5, class_max=10)], groups=[board(5)],
                venues=[venue(rooms=3, capacity=10)])  # fmt: skip
    result = solved(p)
    assert outcome(result, "n1").learners_met == 40
    assert max(away_by_week(p, result.sessions).values()) <= 10


def test_the_weekly_limit_holds_a_group_short_and_is_named():
    # 5% of 200 = 10 a week, 4 weeks: 40 of the 60 learners, though rooms abound
    p = problem(needs=[need(learners=60, class_min=5, class_max=10, mandatory=True,
                            level="Mandated")],
                groups=[board(5)], venues=[venue(rooms=6, capacity=10)])  # fmt: skip
    result = solved(p)
    short = outcome(result, "n1")
    assert short.learners_met == 40
    assert kinds(short) == (Reason.CAPABILITY,)
    assert "SO's operational capability: at most 5% of its 200 people (10)" in short.reasons[0]
    assert short.why[0].more and short.why[0].more > 0


def test_a_board_may_let_everyone_go():
    p = problem(needs=[need(learners=60, class_min=5, class_max=10)], groups=[board(100)],
                venues=[venue(rooms=6, capacity=10)])  # fmt: skip
    assert outcome(solved(p), "n1").learners_met == 60


def test_the_validator_counts_every_day_of_a_week_and_names_the_group():
    p = problem(needs=[need(learners=30, class_min=1, class_max=30)], groups=[board(5)],
                venues=[venue(rooms=2, capacity=30)])  # fmt: skip
    monday = Session("s1", "FA", "facility", "v1", MONDAY, 1, {"n1": 6}, {"g1": 6})
    friday = Session("s2", "FA", "facility", "v1", MONDAY.replace(day=8), 1, {"n1": 6},
                     {"g1": 6})  # fmt: skip
    errors = validate(p, replace(solved(p), sessions=(monday, friday))).errors
    assert any("group SO: 12 learners away in the week of 2027-01-04" in e and "limit of 10" in e
               for e in errors), errors  # fmt: skip


def test_a_limit_outside_0_to_100_per_cent_is_refused():
    assert any("away_percent" in e for e in check_problem(problem(groups=[board(120)])))
