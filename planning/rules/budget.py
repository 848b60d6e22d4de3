"""Budget: the cash cost stays within the cycle's budget; pinned sessions count. Revenue cash is
the venues' fixed running costs, room-days of facilities and centres and trainer-days;
capital is the set-up of the centres opened. With a capital budget (planning.model
.PlanningProblem.capital_budget) the two are kept apart, the budget holding the revenue and
the capital budget the set-up; without one the budget holds both. Learner abstraction is not
cash and is not held to the budget. Guarded by `v.guards["budget"]` for diagnosis when
present."""

from __future__ import annotations

from typing import Any

from planning.facts import session_cash, venue_running
from planning.rules import PlanVars


def cash_terms(v: PlanVars) -> Any:
    """Cash of the counted sessions (set-up is the centre rule's term)."""
    return sum(
        session_cash(v.problem, v.site(sk).cost_per_day, ck[1], v.course(ck).trainers) * var
        for (ck, sk, _), var in v.n.items()
    )


def add(v: PlanVars, setup: Any = 0) -> dict:
    fixed = venue_running(v.problem)
    revenue = cash_terms(v)
    guard = v.guard("budget")
    if v.problem.capital_budget is None:
        cts = [v.model.add(revenue + setup <= v.problem.budget - v.pinned_cash() - fixed)]
    else:
        cts = [v.model.add(revenue <= v.problem.budget - v.pinned_cash() - fixed)]
        if not isinstance(setup, int):
            cts.append(v.model.add(setup <= v.problem.capital_budget))
        elif setup > v.problem.capital_budget:
            cts.append(v.model.add(v.model.new_constant(setup) <= v.problem.capital_budget))
    if guard is not None:
        for ct in cts:
            ct.only_enforce_if(guard)
    return {"cash": revenue + setup + fixed}
