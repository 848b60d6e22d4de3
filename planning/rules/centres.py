"""Candidate centres: a centre is used only if it opens; opening costs its set-up cost once;
`forced` fixes the decision. Sessions in a centre start on or after its earliest opening
(enforced where the session counts are created, in features_and_capacity).

`open_centres` is generic: it takes, per centre, loads (linear expressions) with the capacity
each may reach when the centre is open, so the OR-Library warehouse benchmark calls the very
same rule with demand allocations as loads."""

from __future__ import annotations

from dataclasses import dataclass

from planning.facts import CENTRE
from planning.rules import PlanVars


@dataclass(frozen=True)
class CentreSpec:
    centre_id: str
    setup_cost: float
    forced: bool | None = None


def open_centres(model, specs: list[CentreSpec], loads: dict[str, list[tuple]]) -> tuple:
    """Returns (opened: id -> BoolVar, setup cost expression)."""
    opened = {}
    for spec in specs:
        var = model.new_bool_var(f"open[{spec.centre_id}]")
        if spec.forced is not None:
            model.add(var == int(spec.forced))
        for expr, capacity in loads.get(spec.centre_id, []):
            model.add(expr <= capacity * var)
        opened[spec.centre_id] = var
    setup = sum(spec.setup_cost * opened[spec.centre_id] for spec in specs)
    return opened, setup


def add(v: PlanVars) -> dict:
    specs, loads = [], {}
    for site in v.sites:
        if site.kind != CENTRE:
            continue
        forced = site.forced
        if v.pinned.get(site.key):
            forced = True  # a pinned session already runs there
        specs.append(CentreSpec(site.site_id, site.setup_cost, forced))
        loads[site.site_id] = [(var, v.n_ub[key]) for key, var in v.n.items() if key[1] == site.key]
    v.opened, setup = open_centres(v.model, specs, loads)
    return {"centre_setup": setup}
