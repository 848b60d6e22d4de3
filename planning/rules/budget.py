"""Budget: the cash cost (facility room-days, centre set-up and running, trainer-days) stays
within the cycle's budget; pinned sessions count. Learner abstraction is not cash and is not
held to the budget. Guarded by `v.guards["budget"]` for diagnosis when present."""

from __future__ import annotations

from planning.rules import PlanVars, session_cash, trainers_for


def cash_terms(v: PlanVars):
    """Cash of the counted sessions (set-up is the centre rule's term)."""
    return sum(
        session_cash(v.problem, v.site(sk).cost_per_day, ck[1], v.course(ck).trainers) * var
        for (ck, sk, _), var in v.n.items()
    )


def pinned_cash(v: PlanVars) -> int:
    total = 0
    for s in v.problem.previous:
        if s.pinned:
            site = v.site((s.venue_kind, s.venue_id))
            total += session_cash(v.problem, site.cost_per_day, s.days,
                                  trainers_for(v.problem, s.course_code))  # fmt: skip
    return total


def add(v: PlanVars, setup=0) -> dict:
    cash = cash_terms(v) + setup
    ct = v.model.add(cash <= v.problem.budget - pinned_cash(v))
    guard = v.guard("budget")
    if guard is not None:
        ct.only_enforce_if(guard)
    return {"cash": cash}
