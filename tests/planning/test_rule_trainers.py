"""Trainer pools: a session needs its course's trainers of the course's discipline on each of
its days, within those its pools have at work that day (leave and sickness taken off)."""

from dataclasses import replace
from datetime import timedelta

from planning.model import Reason, Session, TrainerPool
from planning.validator import trainers_used, validate
from tests.planning.builders import MONDAY, kinds, need, outcome, problem, solved, venue

WEEK = [MONDAY + timedelta(days=i) for i in range(5)]


def first_aid(trainers: int, away=None) -> TrainerPool:
    return TrainerPool("p1", "First aid trainers", "first aid", trainers, frozenset({"FA"}),
                       dict(away or {}))  # fmt: skip


def one_week(learners: int, pool: TrainerPool, trainers: int = 1):
    wanted = need(learners=learners, class_min=6, class_max=12, trainers=trainers,
                  window_end=WEEK[-1], discipline="first aid", level="Mandated", mandatory=True)  # fmt: skip
    return problem(needs=[wanted], venues=[venue(rooms=4, capacity=12)], pools=[pool])


def test_sessions_share_out_the_trainers_a_pool_has_each_day():
    p = one_week(96, first_aid(2))  # 2 sessions a day x 12 x 4 days are enough
    result = solved(p)
    assert outcome(result, "n1").learners_met == 96
    assert max(trainers_used(p, result.sessions).values()) <= 2


def test_a_pool_on_leave_holds_a_need_short_and_is_named_with_its_shortfall():
    # one trainer, away Tuesday and Wednesday: 3 sessions of 12 in the week
    p = one_week(96, first_aid(1, {WEEK[1]: 1, WEEK[2]: 1}))
    result = solved(p)
    short = outcome(result, "n1")
    assert short.learners_met == 36
    assert Reason.TRAINERS in kinds(short)  # (a wider window would place more too)
    assert any("the first aid trainers (First aid trainers: 1 trainers" in r for r in short.reasons)
    assert short.why[0].more and short.why[0].more > 0
    assert any(s.rule == "trainers" and s.unit == "trainer-days" for s in result.shortfalls)


def test_a_course_no_pool_teaches_is_limited_by_its_rooms_alone():
    p = one_week(96, first_aid(1))
    p = replace(p, needs=tuple(replace(n, discipline="") for n in p.needs))
    assert outcome(solved(p), "n1").learners_met == 96


def test_the_validator_counts_each_sessions_trainers_on_each_of_its_days():
    p = one_week(24, first_aid(2, {WEEK[0]: 1}), trainers=2)
    session = Session("s1", "FA", "facility", "v1", MONDAY, 1, {"n1": 12}, {"g1": 12})
    errors = validate(p, replace(solved(p), sessions=(session,))).errors
    assert "first aid trainers on 2027-01-04: 2 at work, the pools have 1" in errors
