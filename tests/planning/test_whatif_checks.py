"""A what-if that cannot be met whatever is planned is refused before solving, naming the rule
and the figures (planning.whatif.impossible and check); a feasible one is not, and the solver
agrees with both."""

from datetime import date

import pytest

from planning.model import Session
from planning.whatif import WhatIf, check, impossible
from tests.planning.builders import centre, group, need, problem, solved

TUESDAY = date(2027, 1, 5)


def pinned_problem(budget: int = 1_000_000, hours: float = 40.0):
    """One pinned one-day session for 10 learners at a £100 venue (its cash: the room-day and a
    trainer-day)."""
    pinned = Session("pub-1", "FA", "facility", "v1", TUESDAY, 1, {"n1": 10}, {"g1": 10}, True)
    return problem(needs=[need(learners=20)], groups=[group(headcount=10, hours=hours)],
                   budget=budget, previous=[pinned])  # fmt: skip


def test_a_budget_the_pinned_sessions_already_exceed_is_refused_naming_the_budget_rule():
    base = pinned_problem()
    with pytest.raises(ValueError, match="budget rule cannot hold") as refused:
        check(base, WhatIf("tight", budget=50))
    assert "budget: £50 is below the £" in str(refused.value)
    assert "the 1 pinned session cost £" in str(refused.value)
    assert solved(check(base, WhatIf("enough", budget=100_000))).status in ("OPTIMAL", "FEASIBLE")


def test_the_solver_agrees_the_refused_budget_is_infeasible():
    from planning.solver import solve

    tight = pinned_problem(budget=50)
    assert impossible(tight)
    assert solve(tight, time_limit=5.0, workers=1, seed=1).status == "INFEASIBLE"


def test_a_forced_centre_counts_its_setup_against_the_budget():
    base = problem(centres=[centre(setup_cost=5000)], budget=4000)
    assert impossible(base) == []
    with pytest.raises(ValueError, match=r"opening Centre c1 costs £5,000"):
        check(base, WhatIf("open", centres={"c1": True}))


def test_an_allowance_below_the_pinned_places_is_refused_naming_the_group():
    base = pinned_problem()
    with pytest.raises(ValueError, match=r"allowance\.G1: 1 hours per head .* is below the 80"):
        check(base, WhatIf("short", allowances={"G1": 1.0}))


def test_an_unknown_centre_or_group_is_refused_listing_those_there_are():
    base = problem(centres=[centre()])
    with pytest.raises(ValueError, match=r"candidate centres: Centre c1; groups: G1"):
        check(base, WhatIf("x", centres={"Nowhere": False}))


def test_closing_a_centre_that_pinned_sessions_use_is_refused_naming_the_pinning_rule():
    at_centre = Session("pub-2", "FA", "centre", "c1", TUESDAY, 1, {"n1": 10}, {"g1": 10}, True)
    base = problem(needs=[need(learners=20)], groups=[group(headcount=10)],
                   centres=[centre()], previous=[at_centre])  # fmt: skip
    with pytest.raises(ValueError, match="Centre c1 is kept shut, but 1 pinned session"):
        check(base, WhatIf("shut", centres={"c1": False}))
    assert solved(check(base, WhatIf("open", centres={"c1": True}))).status in (
        "OPTIMAL", "FEASIBLE"
    )  # fmt: skip
