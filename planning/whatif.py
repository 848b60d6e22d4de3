"""What-if variants of a planning problem, solved side by side against the base.

`parse("open=Orpington;budget=8000000;allowance.TP=30")` gives a `WhatIf`; `apply` turns a
problem into the variant; `compare` solves the base and each variant and reports coverage per
priority level, cost, utilisation, centres opened and the needs whose status changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from planning.model import LEVELS, PlanningProblem, PlanningResult
from planning.validator import validate


@dataclass(frozen=True)
class WhatIf:
    name: str
    centres: dict[str, bool] = field(default_factory=dict)
    budget: int | None = None
    allowances: dict[str, float] = field(default_factory=dict)


def parse(text: str) -> WhatIf:
    """`name=...;open=X;close=Y;budget=N;allowance.CODE=H` (parts separated by ';'); close=Y
    names a candidate centre to keep shut or, when no centre has that name, an existing venue
    to close for the cycle (its running cost saved)."""
    name = None
    centres: dict[str, bool] = {}
    budget = None
    allowances: dict[str, float] = {}
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts:
        raise ValueError("what-if: must have at least one part such as open=Orpington")
    for part in parts:
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise ValueError(f"what-if part {part!r}: must be key=value")
        if key == "name":
            name = value
        elif key in ("open", "close"):
            centres[value] = key == "open"
        elif key == "budget":
            if not value.isdigit():
                raise ValueError(f"what-if part {part!r}: budget must be whole pounds >= 0")
            budget = int(value)
        elif key.startswith("allowance.") and key[len("allowance.") :]:
            try:
                hours = float(value)
            except ValueError:
                hours = -1.0
            if not hours >= 0:
                raise ValueError(f"what-if part {part!r}: allowance must be hours per head >= 0")
            allowances[key[len("allowance.") :]] = hours
        else:
            raise ValueError(
                f"what-if part {part!r}: key must be name, open, close, budget or allowance.GROUP"
            )
    return WhatIf(name or text.strip(), centres, budget, allowances)


def apply(problem: PlanningProblem, what_if: WhatIf) -> PlanningProblem:
    """The problem with the what-if's centres forced, budget and allowances replaced."""
    centres = list(problem.centres)
    venues = list(problem.venues)
    for key, forced in what_if.centres.items():
        hits = [
            i
            for i, c in enumerate(centres)
            if key in (c.centre_id, c.name) or c.name.lower().startswith(key.lower())
        ]
        shut = [  # close=VENUE: an existing venue closed for the whole cycle (rationalisation)
            i
            for i, v in enumerate(venues)
            if key in (v.venue_id, v.name) or v.name.lower().startswith(key.lower())
        ]
        if not hits and not forced and len(shut) == 1:
            venues[shut[0]] = replace(venues[shut[0]], closed_on=problem.starts_on)
            continue
        if len(hits) != 1:
            raise ValueError(
                f"centres: {key!r} must name exactly one candidate centre"
                + ("" if forced else " (or, to close, one venue)")
            )
        centres[hits[0]] = replace(centres[hits[0]], forced=forced)
    groups = list(problem.groups)
    for key, hours in what_if.allowances.items():
        hits = [i for i, g in enumerate(groups) if key in (g.group_id, g.code)]
        if len(hits) != 1:
            raise ValueError(f"allowances: {key!r} must name one business group (id or code)")
        groups[hits[0]] = replace(groups[hits[0]], allowance_hours_per_head=hours)
    if what_if.budget is not None and what_if.budget < 0:
        raise ValueError("budget: must be whole pounds >= 0")
    budget = problem.budget if what_if.budget is None else what_if.budget
    return replace(
        problem, centres=tuple(centres), venues=tuple(venues), groups=tuple(groups), budget=budget
    )


@dataclass(frozen=True)
class Row:
    name: str
    status: str
    objective: float | None  # mandated learners trained (the first stage)
    bound: float | None
    coverage: dict[str, tuple[int, int]]  # level -> (learners met, learners demanded)
    cash_cost: int
    abstraction_cost: int
    mean_utilisation: float
    centres_opened: tuple[str, ...]
    changed: tuple[dict[str, Any], ...]
    validation_errors: tuple[str, ...]
    capital_cost: int = 0  # centre set-up, within the cash cost


@dataclass(frozen=True)
class Comparison:
    rows: tuple[Row, ...]  # the base first

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": [
                {
                    **row.__dict__,
                    "coverage": {k: list(v) for k, v in row.coverage.items()},
                    "centres_opened": list(row.centres_opened),
                    "changed": list(row.changed),
                    "validation_errors": list(row.validation_errors),
                }
                for row in self.rows
            ]
        }


def _row(name, problem, result: PlanningResult, base: PlanningResult | None) -> Row:
    levels = {n.need_id: n.level for n in problem.needs}
    titles = {n.need_id: n.title for n in problem.needs}
    coverage = {level: [0, 0] for level in LEVELS}
    for o in result.outcomes:
        coverage[levels[o.need_id]][0] += o.learners_met
        coverage[levels[o.need_id]][1] += o.learners
    ratios = [u.ratio for u in result.utilisation if u.available_hours]
    changed = []
    if base is not None:
        before = {o.need_id: o for o in base.outcomes}
        for o in result.outcomes:
            b = before.get(o.need_id)
            if b is not None and (b.status, b.learners_met) != (o.status, o.learners_met):
                changed.append(
                    {
                        "need_id": o.need_id,
                        "title": titles[o.need_id],
                        "before": f"{b.status} ({b.learners_met}/{b.learners})",
                        "after": f"{o.status} ({o.learners_met}/{o.learners})",
                        "reason": ", ".join(str(r) for r in o.reasons or b.reasons),
                    }
                )
    return Row(
        name=name,
        status=result.status,
        objective=result.objective,
        bound=result.bound,
        coverage={k: (v[0], v[1]) for k, v in coverage.items()},
        cash_cost=result.cost.total,
        abstraction_cost=result.cost.learner_abstraction,
        capital_cost=result.cost.capital,
        mean_utilisation=sum(ratios) / len(ratios) if ratios else 0.0,
        centres_opened=tuple(result.centres_opened),
        changed=tuple(changed),
        validation_errors=tuple(validate(problem, result).errors),
    )


def compare(problem, what_ifs: list[WhatIf], *, time_limit, workers=1, seed=0) -> Comparison:
    """Solve the base and each variant (unknown names refused before any solving)."""
    from planning.solver import solve  # OR-Tools is loaded only when variants are solved

    variants = [(w.name, apply(problem, w)) for w in what_ifs]
    base = solve(problem, time_limit=time_limit, workers=workers, seed=seed)
    rows = [_row("base", problem, base, None)]
    for name, variant in variants:
        result = solve(variant, time_limit=time_limit, workers=workers, seed=seed)
        rows.append(_row(name, variant, result, base))
    return Comparison(tuple(rows))


def render(comparison: Comparison):
    """A rich table with one column per variant."""
    from rich.table import Table

    table = Table(title="What-if comparison")
    table.add_column("")
    for row in comparison.rows:
        table.add_column(row.name)
    lines: list[tuple[str, Callable[[Row], str]]] = [
        ("status", lambda r: r.status),
        ("capital £ (centre set-up)", lambda r: f"{r.capital_cost:,}"),
    ]
    lines += [(level, _covered(level)) for level in LEVELS]
    lines += [
        ("cash cost £", lambda r: f"{r.cash_cost:,}"),
        ("abstraction £", lambda r: f"{r.abstraction_cost:,}"),
        ("mean utilisation", lambda r: f"{r.mean_utilisation:.0%}"),
        ("centres opened", lambda r: ", ".join(r.centres_opened) or "-"),
        ("needs changed", lambda r: str(len(r.changed))),
        ("validation errors", lambda r: str(len(r.validation_errors))),
    ]
    for label, get in lines:
        table.add_row(label, *(get(r) for r in comparison.rows))
    return table


def _covered(level: str) -> Callable[[Row], str]:
    """A row's learners met out of those demanded at `level`."""
    return lambda r: f"{r.coverage[level][0]}/{r.coverage[level][1]}"


def impossible(problem: PlanningProblem) -> list[str]:
    """What makes the problem infeasible whatever is planned, found before solving: the cash
    its pinned sessions and forced-open centres already cost above the budget (the budget rule),
    pinned sessions at a centre kept shut (the pinning rule), a group's pinned places above its
    training-time allowance (the allowance rule). In pounds and hours, for a person to act on."""
    from planning.facts import (
        ALLOWANCE_SCALE,
        PlanFacts,
        allowance_limit,
        allowance_units,
        venue_running,
    )

    facts = PlanFacts(problem)
    pinned = [s for s in problem.previous if s.pinned]
    forced = [c for c in problem.centres if c.forced]
    apart = problem.capital_budget is not None  # set-up held to its own capital budget
    fixed = venue_running(problem)
    committed = facts.pinned_cash() + fixed + (0 if apart else sum(c.setup_cost for c in forced))
    found = []
    if apart and sum(c.setup_cost for c in forced) > (problem.capital_budget or 0):
        found.append(
            f"capital_budget: £{problem.capital_budget:,} is below the set-up of the centres "
            f"forced open (£{sum(c.setup_cost for c in forced):,}), so the budget rule cannot hold"
        )
    if committed > problem.budget:
        sessions = f"{len(pinned):,} pinned session" + ("" if len(pinned) == 1 else "s")
        parts = [f"the {sessions} cost £{facts.pinned_cash():,}"]
        if fixed:
            parts.append(f"the venues' running costs are £{fixed:,}")
        parts += [f"opening {c.name} costs £{c.setup_cost:,}" for c in forced if not apart]
        found.append(
            f"budget: £{problem.budget:,} is below the £{committed:,} already committed "
            f"({'; '.join(parts)}), so the budget rule cannot hold"
        )
    for centre in problem.centres:
        held = [s for s in pinned if s.venue_kind == "centre" and s.venue_id == centre.centre_id]
        if centre.forced is False and held:
            count = f"{len(held):,} pinned session" + ("" if len(held) == 1 else "s")
            found.append(
                f"centres: {centre.name} is kept shut, but {count} (published, or pinned by the "
                "TMB) take place there, so the pinning rule cannot hold: amend or unpin them first"
            )
    needs = {n.need_id: n for n in problem.needs}
    for group in problem.groups:
        used = sum(
            allowance_units(problem, needs[need_id]) * count
            for need_id, count in facts.pinned_met.items()
            if need_id in needs and needs[need_id].group_id == group.group_id
        )
        if used > allowance_limit(group.allowance_hours):
            found.append(
                f"allowance.{group.code}: {group.allowance_hours_per_head:g} hours per head "
                f"({group.allowance_hours:,.0f} hours for {group.headcount:,} people) is below "
                f"the {used / ALLOWANCE_SCALE:,.0f} hours its pinned places already take, so the "
                "allowance rule cannot hold"
            )
    return found


KEYS = ("name", "centres", "budget", "allowances")


def from_data(data: dict[str, Any] | str) -> WhatIf:
    """A what-if given as data (the HTTP API's JSON: `{"centres": {"Orpington": true},
    "budget": 8000000, "allowances": {"TP": 30}}`) or as `parse`'s text; a ValueError naming
    the key and the rule otherwise."""
    if isinstance(data, str):
        return parse(data)
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise ValueError(f"what_if.{unknown[0]}: not a what-if key (keys: {', '.join(KEYS)})")
    centres, allowances = data.get("centres") or {}, data.get("allowances") or {}
    if not isinstance(centres, dict) or not all(isinstance(v, bool) for v in centres.values()):
        raise ValueError("what_if.centres: must map a centre's name to true (open) or false")
    if not isinstance(allowances, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
        for v in allowances.values()
    ):
        raise ValueError("what_if.allowances: must map a group's code to hours per head >= 0")
    budget = data.get("budget")
    if budget is not None and (type(budget) is not int or budget < 0):
        raise ValueError("what_if.budget: must be whole pounds >= 0")
    name = str(data.get("name") or "what-if")
    return WhatIf(name, dict(centres), budget, {k: float(v) for k, v in allowances.items()})


def check(problem: PlanningProblem, what_if: WhatIf) -> PlanningProblem:
    """The variant the what-if makes, or a ValueError before anything is solved: a centre or
    group it names that the problem does not have, or a variant `impossible` finds infeasible."""
    try:
        variant = apply(problem, what_if)
    except ValueError as error:
        centres = ", ".join(c.name for c in problem.centres) or "none"
        groups = ", ".join(g.code for g in problem.groups) or "none"
        raise ValueError(f"{error} (candidate centres: {centres}; groups: {groups})") from None
    found = impossible(variant)
    if found:
        raise ValueError("; ".join(found))
    return variant
