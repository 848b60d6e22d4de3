"""Budget: the cash cost within the cycle's budget; a venue's fixed running cost is revenue
whether its rooms are used or not, and a what-if closing the venue saves it; with a capital
budget the set-up of centres is held to it, apart from the revenue budget."""

from planning.model import Reason
from planning.validator import cost_of
from planning.whatif import WhatIf, apply, impossible
from tests.planning.builders import (
    MONDAY,
    centre,
    kinds,
    need,
    outcome,
    problem,
    replace,
    solved,
    venue,
)


def test_the_cash_cost_stays_within_the_budget():
    # one 1-day session costs 100 (room) + 250 (trainer)
    p = problem(needs=[need(learners=24, class_max=12)], budget=400)
    result = solved(p)
    assert result.cost.total <= 400
    assert outcome(result, "n1").learners_met == 12
    assert kinds(outcome(result, "n1")) == (Reason.BUDGET_REACHED,)


def test_learner_abstraction_is_reported_but_not_held_to_the_budget():
    p = problem(needs=[need(learners=10)], budget=350)
    result = solved(p)
    assert result.cost.total == 350
    assert result.cost.learner_abstraction == 10 * 180


def test_a_venues_running_cost_is_revenue_and_closing_it_saves_it():
    p = problem(needs=[need(learners=12)],
                venues=[replace(venue("v1"), running_cost_per_year=36_500),
                        replace(venue("v2", cost_per_day=150), running_cost_per_year=73_000)])  # fmt: skip
    base = solved(p)
    # 4 weeks of 2027 open: 28 days of a year's cost each
    assert base.cost.venue_running == round(36_500 * 26 / 365) + round(73_000 * 26 / 365)
    assert base.cost.revenue == base.cost.venue_running + 100 + 250
    closed = solved(apply(p, WhatIf("shut v2", centres={"Venue v2": False})))
    assert base.cost.total - closed.cost.total == round(73_000 * 26 / 365)
    assert outcome(closed, "n1").learners_met == 12


def test_running_costs_leave_less_of_the_budget_for_sessions_and_the_reason_says_budget():
    p = problem(needs=[need(learners=24, class_max=12)], budget=10_000 + 400,
                venues=[replace(venue(), running_cost_per_year=140_385)])  # fmt: skip
    result = solved(p)  # 140,385 x 26/365 = 10,000 running: one session of 350 fits
    assert result.cost.total <= 10_400
    assert outcome(result, "n1").learners_met == 12
    assert kinds(outcome(result, "n1")) == (Reason.BUDGET_REACHED,)


def test_with_a_capital_budget_set_up_is_held_to_it_and_not_to_the_revenue_budget():
    gym = dict(features=("gym",), capacity=12)
    needy = need(learners=24, class_max=12, features=("gym",), level="Mandated", mandatory=True,
                 window_end=MONDAY)  # one day: the venue's one room and the centre's  # fmt: skip
    one = problem(needs=[needy], venues=[venue(**gym)],
                  centres=[centre(setup_cost=5000, features=("gym",))], budget=2_000)  # fmt: skip
    apart = solved(replace(one, capital_budget=5_000))
    assert apart.centres_opened == ("c1",) and apart.cost.capital == 5_000
    assert apart.cost.revenue <= 2_000 < apart.cost.total
    assert outcome(apart, "n1").learners_met == 24
    together = solved(one)  # the one budget cannot pay for the set-up
    assert together.centres_opened == ()
    assert outcome(together, "n1").learners_met == 12
    too_small = replace(one, capital_budget=4_999, centres=(centre(setup_cost=5000,
                        features=("gym",), forced=True),))  # fmt: skip
    assert "capital_budget: £4,999 is below the set-up" in impossible(too_small)[0]


def test_the_cost_breakdown_keeps_capital_apart_from_revenue():
    p = problem(venues=[replace(venue(), running_cost_per_year=365)])
    cost = cost_of(p, solved(p).sessions, ())
    assert cost.capital == 0 and cost.revenue == cost.total == cost.venue_running + 350
