"""Fair shares: mandated coverage balanced across groups, unless capacity forbids it."""

from datetime import date

from planning.facts import PlanFacts, fair_share_needs
from tests.planning.builders import group, need, outcome, problem, solved, venue

END = date(2027, 1, 15)


def _ost(need_id, group_id, learners, **kw):
    return need(need_id, group_id, "OST", learners, days=2, class_min=8, class_max=16,
                features={"gym"}, level="Mandated", mandatory=True, **kw)  # fmt: skip


def _gym():
    return venue("gym", capacity=16, features={"gym"})


def test_scarce_places_are_shared_so_that_every_group_gets_a_like_share():
    # one gym, two weeks: 4 two-day sessions of 16 = 64 places for 160 + 40 learners
    p = problem(needs=[_ost("tp", "tp", 160), _ost("so", "so", 40)], venues=[_gym()],
                groups=[group("tp", 1000), group("so", 1000)], ends_on=END)  # fmt: skip
    result = solved(p, diagnose=False)
    tp, so = outcome(result, "tp"), outcome(result, "so")
    assert tp.learners_met + so.learners_met == 64
    assert so.learners_met >= 12 and tp.learners_met >= 48  # 30% each at least (32% at best)
    fair = next(s for s in result.stages if s.name == "fair share")
    assert fair.unit.startswith("%") and fair.objective >= 30.0


def test_a_need_no_venue_can_take_is_left_out_of_the_share_instead_of_holding_all_at_nought():
    p = problem(needs=[_ost("tp", "tp", 32), need("x", "so", "RNG", 10, features={"range"},
                                                   level="Mandated", mandatory=True)],
                venues=[_gym()], groups=[group("tp"), group("so")], ends_on=END)  # fmt: skip
    assert set(fair_share_needs(PlanFacts(p))) == {"tp"}
    result = solved(p, diagnose=False)
    assert outcome(result, "tp").learners_met == 32
    assert outcome(result, "x").learners_met == 0


def test_a_need_capacity_limits_holds_the_share_down_but_not_the_others_below_it():
    # SO's window allows one session only (16 of 64): the share is at most 25%, and TP keeps
    # the three other sessions of the gym (48, 75%) rather than being held down to 25%
    p = problem(needs=[_ost("tp", "tp", 64),
                       _ost("so", "so", 64, window_end=date(2027, 1, 5))],
                venues=[_gym()], groups=[group("tp"), group("so")], ends_on=END)  # fmt: skip
    result = solved(p, diagnose=False)
    assert outcome(result, "so").learners_met == 16
    assert outcome(result, "tp").learners_met == 48
