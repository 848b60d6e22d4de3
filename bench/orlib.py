"""OR-Library capacitated warehouse location (Beasley's cap instances) on the planning model's
own centre-opening rule (planning.rules.centres.open_centres).

Format: `m n`; m lines `capacity fixed_cost`; then per customer its demand followed by m costs
of allocating ALL its demand to each warehouse (wrapped over lines). Warehouses become
candidate centres (set-up cost, capacity); a customer's demand must be served and may be split
between warehouses, as in the original. Demand is allocated in integer units (the data are
integers, so an integral optimum exists); the fractional per-unit costs are scaled to integers
for CP-SAT and the objective is recomputed exactly from the allocation."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ortools.sat.python import cp_model

from planning.rules.centres import CentreSpec, open_centres

COST_SCALE = 10_000  # cost units per pound in the CP-SAT objective


@dataclass(frozen=True)
class CapInstance:
    name: str
    capacities: tuple[int, ...]
    fixed_costs: tuple[Fraction, ...]
    demands: tuple[int, ...]
    costs: tuple[tuple[Fraction, ...], ...]  # costs[customer][warehouse], for all its demand


@dataclass(frozen=True)
class CapResult:
    instance: str
    status: str
    objective: float | None
    bound: float | None
    seconds: float
    opened: tuple[int, ...] = ()
    allocation: dict[tuple[int, int], int] = field(default_factory=dict)  # (customer, wh)


def read_cap(path: str | Path) -> CapInstance:
    path = Path(path)
    tokens = path.read_text().split()
    if len(tokens) < 2:
        raise ValueError(f"{path}: expected 'm n' on the first line")
    m, n = int(tokens[0]), int(tokens[1])
    pos = 2
    capacities, fixed = [], []
    for _ in range(m):
        capacities.append(int(float(tokens[pos])))
        fixed.append(Fraction(tokens[pos + 1].rstrip(".") or "0"))
        pos += 2
    demands, costs = [], []
    for j in range(n):
        row = tokens[pos + 1 : pos + 1 + m]
        if pos >= len(tokens) or len(row) < m:
            raise ValueError(f"{path}: customer {j + 1} has {len(row)} of {m} costs (truncated)")
        demands.append(int(float(tokens[pos])))
        costs.append(tuple(Fraction(t) for t in row))
        pos += 1 + m
    if pos != len(tokens):
        raise ValueError(f"{path}: {len(tokens) - pos} tokens left after {n} customers")
    return CapInstance(path.stem, tuple(capacities), tuple(fixed), tuple(demands), tuple(costs))


def exact_cost(
    instance: CapInstance, opened: Iterable[int], allocation: Mapping[tuple[int, int], int]
) -> Fraction:
    total = sum((instance.fixed_costs[i] for i in opened), Fraction(0))
    for (j, i), units in allocation.items():
        total += instance.costs[j][i] * units / instance.demands[j]
    return total


def solve_cap(instance: CapInstance, *, time_limit: float = 10.0, workers: int = 1,
              seed: int = 0) -> CapResult:  # fmt: skip
    started = time.monotonic()
    model = cp_model.CpModel()
    m = len(instance.capacities)
    x = {}
    for j, demand in enumerate(instance.demands):
        if demand <= 0:
            continue
        for i in range(m):
            x[(j, i)] = model.new_int_var(0, min(demand, instance.capacities[i]), f"x[{j},{i}]")
        model.add(sum(x[(j, i)] for i in range(m)) == demand)
    specs = [CentreSpec(str(i), float(instance.fixed_costs[i])) for i in range(m)]
    loads = {
        str(i): [(sum(x[(j, i)] for j in range(len(instance.demands)) if (j, i) in x),
                  instance.capacities[i])]
        + [(x[(j, i)], instance.demands[j]) for j in range(len(instance.demands)) if (j, i) in x]
        for i in range(m)
    }  # fmt: skip
    opened, _ = open_centres(model, specs, loads)
    # the open warehouses must cover the total demand (a valid cut that helps the search)
    model.add(sum(instance.capacities[i] * opened[str(i)] for i in range(m))
              >= sum(instance.demands))  # fmt: skip
    objective = sum(
        round(instance.fixed_costs[i] * COST_SCALE) * opened[str(i)] for i in range(m)
    ) + sum(
        round(instance.costs[j][i] * COST_SCALE / instance.demands[j]) * var
        for (j, i), var in x.items()
    )
    model.minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    seconds = time.monotonic() - started
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CapResult(instance.name, name, None, None, seconds)
    chosen = tuple(i for i in range(m) if solver.value(opened[str(i)]))
    allocation = {key: solver.value(var) for key, var in x.items() if solver.value(var)}
    value = float(exact_cost(instance, chosen, allocation))
    # each scaled coefficient is rounded by at most half a unit: widen the bound by that much
    rounding = (sum(instance.demands) + m) * 0.5 / COST_SCALE
    bound = min(solver.best_objective_bound / COST_SCALE - rounding, value)
    return CapResult(instance.name, name, value, bound, seconds, chosen, allocation)


def published_optima(path: str | Path) -> dict[str, float]:
    """capopt.txt: a header line, then `name value` lines."""
    out = {}
    for line in Path(path).read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = float(parts[1])
    return out
