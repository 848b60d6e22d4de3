"""Reasons name the binding rule and the resource, and each is true counterfactually: relaxing
that rule alone (the same problem with one more room, a wider window, a larger allowance or
budget) lets the need get more learners."""

from dataclasses import replace
from datetime import date

from planning.model import Reason
from tests.planning.builders import group, kinds, need, outcome, problem, solved, venue

MONDAY = date(2027, 1, 4)


def test_a_need_out_ranked_by_a_higher_priority_says_so():
    p = problem(needs=[need("hi", level="Mandated", mandatory=True, window_end=MONDAY),
                       need("lo", course="X", level="Optional", window_end=MONDAY)],
                ends_on=date(2027, 1, 8))  # fmt: skip
    why = outcome(solved(p), "lo").why
    ranked = [b for b in why if b.reason == Reason.OUT_RANKED]
    assert ranked and "FA course" in ranked[0].resource


def _gym_problem(**changes):
    """Officer safety for two groups, a whole-year window, one gym of one room: the gym is
    what binds, never the window, and neither group out-ranks the other."""
    needs = [
        need("ost-tp", "tp", "OST", 64, days=2, class_min=8, class_max=16, features={"gym"},
             level="Mandated", mandatory=True),
        need("ost-so", "so", "OST", 32, days=2, class_min=8, class_max=16, features={"gym"},
             level="Mandated", mandatory=True),
    ]  # fmt: skip
    base = problem(needs=needs, venues=[venue("gym", capacity=16, features={"gym"})],
                   groups=[group("tp", 400), group("so", 200)], ends_on=date(2027, 1, 15))  # fmt: skip
    return replace(base, **changes)


def test_a_mandated_need_short_of_gym_rooms_names_the_rooms_and_is_never_out_ranked():
    p = _gym_problem()
    result = solved(p)
    for need_id in ("ost-tp", "ost-so"):
        found = outcome(result, need_id)
        assert found.learners_met < found.learners
        assert Reason.ROOMS_FULL in kinds(found)
        assert Reason.OUT_RANKED not in kinds(found)
        assert Reason.WINDOW_TOO_NARROW not in kinds(found)
        rooms = next(b for b in found.why if b.reason == Reason.ROOMS_FULL)
        assert "gym" in rooms.resource and rooms.rule == "rooms_and_schedule"


def test_relaxing_the_rooms_alone_gives_the_need_more_learners():
    p = _gym_problem()
    before = solved(p)
    more_rooms = replace(p, venues=tuple(replace(v, rooms=v.rooms + 1) for v in p.venues))
    after = solved(more_rooms, diagnose=False)
    for need_id in ("ost-tp", "ost-so"):
        assert outcome(after, need_id).learners_met > outcome(before, need_id).learners_met


def test_the_fair_share_stage_balances_mandated_coverage_and_says_the_places_are_shared():
    result = solved(_gym_problem())
    tp, so = outcome(result, "ost-tp"), outcome(result, "ost-so")
    assert abs(tp.learners_met / tp.learners - so.learners_met / so.learners) < 0.2
    assert Reason.SHARED in kinds(tp) and Reason.SHARED in kinds(so)


def test_a_run_quantifies_the_shortfall_in_room_days_and_learners():
    result = solved(_gym_problem())
    (shortfall,) = [s for s in result.shortfalls if s.rule == "rooms_and_schedule"]
    assert shortfall.unit == "room-days" and shortfall.extra == 10  # one gym room, 10 days
    assert shortfall.learners > 0 and shortfall.level == "Mandated"
    assert "room-days" in str(shortfall) and "Mandated learners" in str(shortfall)


def test_a_narrow_window_is_named_only_when_widening_it_gives_more():
    p = problem(needs=[need(learners=24, class_max=12, window_end=MONDAY)],
                venues=[venue(rooms=1)])  # fmt: skip
    found = outcome(solved(p), "n1")
    assert Reason.WINDOW_TOO_NARROW in kinds(found)
    widened = replace(p, needs=(replace(p.needs[0], window_end=p.ends_on),))
    assert outcome(solved(widened, diagnose=False), "n1").learners_met > found.learners_met


def test_allowance_and_budget_are_named_when_both_stop_a_need():
    p = problem(needs=[need(learners=24, class_min=1)], budget=400,
                groups=[group("g1", 10, 1.6)])  # fmt: skip
    assert Reason.ALLOWANCE_REACHED in kinds(outcome(solved(p), "n1"))


def test_without_diagnosis_no_reason_is_given():
    p = problem(needs=[need(features={"x"})])
    assert outcome(solved(p, diagnose=False), "n1").reasons == ()


def test_a_met_need_has_no_reason():
    assert outcome(solved(problem()), "n1").reasons == ()


def test_no_venue_with_the_features_is_structural():
    p = problem(needs=[need(features={"x"})])
    (binding,) = outcome(solved(p), "n1").why
    assert binding.reason == Reason.NO_SUITABLE_VENUE and "x" in binding.resource
