from dataclasses import replace
from datetime import date

from planning.validator import validate
from tests.planning.builders import need, problem, solved, venue


def _plan():
    p = problem(needs=[need(learners=20, class_max=10)], venues=[venue(capacity=10)])
    return p, solved(p)


def _broken(result, **changes):
    first = replace(result.sessions[0], **changes)
    return replace(result, sessions=(first, *result.sessions[1:]))


def test_a_solved_plan_passes():
    p, result = _plan()
    assert validate(p, result).ok


def test_double_booking_is_caught():
    p, result = _plan()
    a, b = result.sessions
    broken = replace(result, sessions=(a, replace(b, starts_on=a.starts_on)))
    assert any("rooms free" in e for e in validate(p, broken).errors)


def test_over_capacity_is_caught():
    p, result = _plan()
    errors = validate(p, _broken(result, needs={"n1": 12}, learners={"g1": 12})).errors
    assert any("over capacity" in e for e in errors)


def test_a_session_outside_the_window_is_caught():
    p, result = _plan()
    errors = validate(p, _broken(result, starts_on=date(2027, 2, 1))).errors
    assert any("outside the window" in e for e in errors)


def test_an_exceeded_budget_is_caught():
    p, result = _plan()
    errors = validate(replace(p, budget=100), result).errors
    assert any("exceeds the budget" in e for e in errors)


def test_a_venue_without_the_features_is_caught():
    p, result = _plan()
    p2 = replace(p, needs=(replace(p.needs[0], features=frozenset({"pool"})),))
    assert any("lacks features" in e for e in validate(p2, result).errors)


def test_more_learners_than_the_need_has_are_caught():
    p, result = _plan()
    p2 = replace(p, needs=(replace(p.needs[0], learners=15),))
    assert any("it has 15" in e for e in validate(p2, result).errors)


def test_an_unopened_centre_is_caught():
    from tests.planning.builders import centre

    p, result = _plan()
    p2 = replace(p, centres=(centre(capacity=10),))
    errors = validate(p2, _broken(result, venue_kind="centre", venue_id="c1")).errors
    assert any("not opened" in e for e in errors)


def test_a_changed_pinned_session_is_caught():
    from planning.model import Session

    pinned = Session("pub-1", "FA", "facility", "v1", date(2027, 1, 5), 1, {"n1": 10},
                     {"g1": 10}, True)  # fmt: skip
    p = problem(needs=[need(learners=20)], previous=[pinned])
    result = solved(p)
    moved = replace(pinned, starts_on=date(2027, 1, 6))
    others = tuple(s for s in result.sessions if s.session_id != "pub-1")
    errors = validate(p, replace(result, sessions=(moved, *others))).errors
    assert any("pinned session pub-1" in e for e in errors)


def test_a_class_below_its_minimum_is_caught():
    p, result = _plan()
    errors = validate(p, _broken(result, needs={"n1": 2}, learners={"g1": 2})).errors
    assert any("under class_min" in e for e in errors)
