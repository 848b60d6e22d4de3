"""Optimiser benchmark: CP-SAT against the greedy baseline on the seeded scenarios.

    python bench/optimiser.py [--sizes S,M,L,XL] [--seed 0] [--workers 2] [--limits 10,60]

One JSON line per size and a final JSON summary line. Not a test; every result is validated.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning.baseline import greedy
from planning.model import LEVELS
from planning.scenarios import generate
from planning.solver import Progress, solve
from planning.validator import validate


def coverage(problem, result) -> dict[str, int]:
    levels = {n.need_id: n.level for n in problem.needs}
    out = dict.fromkeys(LEVELS, 0)
    for o in result.outcomes:
        out[levels[o.need_id]] += o.learners_met
    return out


def run(size: str, seed: int, workers: int, limits: list[float]) -> dict:
    problem = generate(size, seed)
    line: dict = {
        "size": size,
        "needs": len(problem.needs),
        "venues": len(problem.venues),
        "centres": len(problem.centres),
        "learners": sum(n.learners for n in problem.needs),
        "demand_per_level": coverage_demand(problem),
    }
    started = time.perf_counter()
    base = greedy(problem)
    base_v = validate(problem, base)
    line["baseline"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "objective": base_v.objective,
        "covered": coverage(problem, base),
        "cost": base.cost.total,
        "errors": base_v.errors,
    }
    for limit in limits:
        first: list[float] = []  # seconds to the first incumbent

        def note_first(progress: Progress, first: list[float] = first) -> None:
            if not first:
                first.append(progress.elapsed)

        result = solve(problem, time_limit=limit, workers=workers, seed=seed,
                       on_progress=note_first)  # fmt: skip
        v = validate(problem, result)
        line[f"cpsat_{int(limit)}s"] = {
            "status": result.status,
            "first_feasible_s": round(first[0], 2) if first else None,
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "seconds": round(result.seconds, 2),
            "covered": coverage(problem, result),
            "cost": result.cost.total,
            "ratio_to_baseline": (
                result.objective / base_v.objective
                if result.objective is not None and base_v.objective
                else None
            ),
            "errors": v.errors,
        }
    return line


def coverage_demand(problem) -> dict[str, int]:
    out = dict.fromkeys(LEVELS, 0)
    for n in problem.needs:
        out[n.level] += n.learners
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limits", default="10,60")
    args = parser.parse_args()
    limits = [float(x) for x in args.limits.split(",") if x]
    lines = []
    for size in [s for s in args.sizes.split(",") if s]:
        line = run(size, args.seed, args.workers, limits)
        lines.append(line)
        print(json.dumps(line), flush=True)
    summary = {
        "summary": {
            line["size"]: {
                key: line[key]["ratio_to_baseline"] for key in line if key.startswith("cpsat_")
            }
            for line in lines
        }
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
