"""Delivery mode: classroom and practical courses need rooms, a blended course a room for its
classroom part only, an e-learning course none (its learners still use the allowance)."""

from dataclasses import replace

from planning.facts import ONLINE
from planning.model import Reason, Session
from planning.validator import check_problem, validate
from tests.planning.builders import MONDAY, group, kinds, need, outcome, problem, solved, venue


def test_an_e_learning_need_is_met_with_every_room_taken():
    taken = {MONDAY.replace(day=4 + i): 1 for i in range(26)}  # the one room, all month
    p = problem(needs=[need(learners=40, mode="e-learning")], venues=[venue(taken=taken)])
    result = solved(p)
    assert outcome(result, "n1").learners_met == 40
    assert {s.venue_kind for s in result.sessions} == {ONLINE}
    assert result.cost.facility_days == 0


def test_a_classroom_need_with_every_room_taken_is_left_unmet():
    taken = {MONDAY.replace(day=4 + i): 1 for i in range(26)}
    p = problem(needs=[need(learners=40, mode="classroom")], venues=[venue(taken=taken)])
    result = solved(p)
    assert outcome(result, "n1").learners_met == 0
    assert kinds(outcome(result, "n1")) == (Reason.WINDOW_TOO_NARROW,)


def test_e_learning_still_counts_against_the_groups_allowance():
    # 10 heads x 2.4 hours = 24 hours = three learner-days of 8 hours
    p = problem(needs=[need(learners=40, class_min=1, mode="e-learning")],
                groups=[group("g1", 10, 2.4)])  # fmt: skip
    result = solved(p)
    assert outcome(result, "n1").learners_met == 3
    assert kinds(outcome(result, "n1")) == (Reason.ALLOWANCE_REACHED,)


def test_a_blended_need_takes_rooms_for_its_classroom_part_only():
    # 4 days, 2 of them in class: sessions of 2 days, the allowance counts all 4
    blended = need(learners=12, days=4.0, class_min=4, class_max=12, mode="blended",
                   classroom_days=2.0)  # fmt: skip
    result = solved(problem(needs=[blended], groups=[group("g1", 100, 40.0)]))
    assert outcome(result, "n1").learners_met == 12
    assert {s.days for s in result.sessions} == {2}
    assert result.cost.facility_days == 2 * 100
    short = solved(problem(needs=[blended], groups=[group("g1", 10, 6 * 32 / 10)]))
    assert outcome(short, "n1").learners_met == 6  # 6 learners x 4 days x 8 hours


def test_the_validator_refuses_a_room_for_e_learning_and_no_room_for_a_classroom_need():
    p = problem(needs=[need("e", learners=8, mode="e-learning"), need("c", course="CL")])
    in_room = Session("s1", "FA", "facility", "v1", MONDAY, 1, {"e": 8}, {"g1": 8})
    online = Session("s2", "CL", ONLINE, "e-learning", MONDAY, 1, {"c": 8}, {"g1": 8})
    result = replace(solved(p), sessions=(in_room, online))
    errors = validate(p, result).errors
    assert any("e-learning need e given a room" in e for e in errors), errors
    assert any("classroom need c given no room" in e for e in errors), errors


def test_a_course_code_cannot_mix_e_learning_and_rooms():
    p = problem(needs=[need("a", mode="e-learning"), need("b", mode="classroom")])
    assert any("cannot share its sessions" in e for e in check_problem(p))
