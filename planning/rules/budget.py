"""Budget: the cash cost (facility room-days, centre set-up and running, trainer-days) stays
within the cycle's budget; pinned sessions count. Learner abstraction is not cash and is not
held to the budget. Guarded by `v.guards["budget"]` for diagnosis when present."""

from __future__ import annotations

from typing import Any

from planning.facts import session_cash
from planning.rules import PlanVars


def cash_terms(v: PlanVars) -> Any:
    """Cash of the counted sessions (set-up is the centre rule's term)."""
    return sum(
        session_cash(v.problem, v.site(sk).cost_per_day, ck[1], v.course(ck).trainers) * var
        for (ck, sk, _), var in v.n.items()
    )


def add(v: PlanVars, setup: Any = 0) -> dict:
    cash = cash_terms(v) + setup
    ct = v.model.add(cash <= v.problem.budget - v.pinned_cash())
    guard = v.guard("budget")
    if guard is not None:
        ct.only_enforce_if(guard)
    return {"cash": cash}
