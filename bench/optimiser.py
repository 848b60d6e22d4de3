"""Optimiser benchmark: the lexicographic stages against the greedy plan, per scenario size.

    python bench/optimiser.py [--sizes demo,S,M,L,XL] [--seed 0] [--workers 2] [--limits 10,60]
                              [--engine auto|highs|cp-sat]

Per size one JSON line: `size`, the problem's counts, and `runs`, one per time limit, each with
`time_limit`, `stages` (name, unit, status, objective, bound, gap in the stage's own unit,
seconds), `learners_met` and `baseline_learners_met` per level, `cash_cost` (total, capital,
revenue), `abstraction_cost`, `seconds_to_first_feasible` (when the run held its first plan of
its own: the end of the first stage that improved on the greedy plan; the greedy plan itself is
`seconds_to_start_plan`), `better_than_greedy` (lexicographically: mandated learners, fair
share, priority-weighted learner-days, then cost), `stages_within_2pct` and the validator's
`errors` (every plan is validated). `demo` is the demonstration scenario of `trainplan demo`,
recorded in a scratch SQLite database. The machine's load average is printed beside the figures:
on a shared 2-core machine they move with it. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planning.baseline import greedy
from planning.model import LEVELS, PlanningProblem, PlanningResult, Reason
from planning.scenarios import generate
from planning.solver import HOLD_TOLERANCE, STAGES, Progress, solve
from planning.validator import stage_values, validate

GAP_TARGET = 0.02


def demo_problem() -> PlanningProblem:
    """The problem `trainplan demo` hands the optimiser, built through the application."""
    from api.cli import demo_scenario
    from api.settings import Settings
    from api.stack import open_stack
    from planning.adapter import build_problem

    folder = tempfile.mkdtemp(prefix="trainplan-bench-")
    stack = open_stack(Settings(database_url=f"sqlite:///{folder}/demo.db"), planning=False)
    try:
        ids = demo_scenario.build(stack.planner)
        stack.catch_up()
        return build_problem(stack.projections.problem_source(), ids["cycle_id"])
    finally:
        stack.close()


def better_than(problem: PlanningProblem, new: PlanningResult, old: PlanningResult) -> bool:
    """`new` is lexicographically better than `old`: the first stage where they differ (beyond
    the stages' hold tolerance) is better in `new`."""
    a = stage_values(problem, new.sessions, new.centres_opened)
    b = stage_values(problem, old.sessions, old.centres_opened)
    for spec in STAGES:
        margin = 1e-9 if spec.exact else HOLD_TOLERANCE * max(1.0, abs(b[spec.key]))
        up = a[spec.key] - b[spec.key] if spec.sense == "maximise" else b[spec.key] - a[spec.key]
        if up > margin:
            return True
        if up < -margin:
            return False
    return False


def demand(problem: PlanningProblem) -> dict[str, int]:
    out = dict.fromkeys(LEVELS, 0)
    for n in problem.needs:
        out[n.level] += n.learners
    return out


def one_run(
    problem: PlanningProblem, limit: float, workers: int, seed: int, engine: str = "auto"
) -> dict[str, Any]:
    seen: list[Progress] = []
    started, cpu = time.perf_counter(), time.process_time()
    result = solve(problem, time_limit=limit, workers=workers, seed=seed,
                   on_progress=seen.append, engine=engine)  # fmt: skip
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    check = validate(problem, result)
    start = next((p.elapsed for p in seen if p.stage == "start plan"), None)
    improved = [
        s
        for s in result.stages
        if s.start is not None
        and s.objective != s.start
        and s.status not in ("NO_BETTER", "NOT_RUN", "TRIVIAL")
    ]
    first = None
    if improved:
        ends = {p.stage: p.elapsed for p in seen}
        first = ends.get(improved[0].name)
    base = greedy(problem)
    data = result.to_dict()
    return {
        "time_limit": limit,
        "engine": engine,
        "status": result.status,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),  # what this process got of the machine meanwhile
        "stages": [
            {
                key: s[key]
                for key in (
                    "name",
                    "unit",
                    "status",
                    "objective",
                    "bound",
                    "gap",
                    "seconds",
                    "start",
                )
            }
            for s in data["stages"]
        ],
        "learners_met": result.learners_met,
        "baseline_learners_met": result.baseline_learners_met,
        "cash_cost": data["cash_cost"],
        "abstraction_cost": data["abstraction_cost"],
        "centres_opened": list(result.centres_opened),
        "seconds_to_start_plan": None if start is None else round(start, 2),
        "seconds_to_first_feasible": None if first is None else round(first, 2),
        "better_than_greedy": better_than(problem, result, base),
        "stages_within_2pct": all(s.gap is not None and s.gap <= GAP_TARGET for s in result.stages),
        "needs_short": len(data["unmet"]),
        "needs_without_a_proven_reason": sum(
            1 for o in result.outcomes for b in o.why if b.reason == Reason.NOT_PROVEN
        ),
        "shortfalls": [s["text"] for s in data["shortfalls"]],
        "timings": result.settings.get("timings"),
        "errors": check.errors,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run(
    size: str, seed: int, workers: int, limits: list[float], engine: str = "auto"
) -> dict[str, Any]:
    problem = demo_problem() if size.lower() == "demo" else generate(size, seed)
    started = time.perf_counter()
    base = greedy(problem)
    base_check = validate(problem, base)
    return {
        "size": size,
        "needs": len(problem.needs),
        "venues": len(problem.venues),
        "centres": len(problem.centres),
        "learners": sum(n.learners for n in problem.needs),
        "demand_per_level": demand(problem),
        "baseline": {
            "seconds": round(time.perf_counter() - started, 2),
            "learners_met": base.learners_met,
            "cash_cost": base.cost.total,
            "errors": base_check.errors,
        },
        "runs": [one_run(problem, limit, workers, seed, engine) for limit in limits],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,S,M,L,XL")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limits", default="10,60")
    parser.add_argument("--engine", default="auto", choices=["auto", "highs", "cp-sat"])
    args = parser.parse_args()
    limits = [float(x) for x in args.limits.split(",") if x]
    for size in [s for s in args.sizes.split(",") if s]:
        print(json.dumps(run(size, args.seed, args.workers, limits, args.engine)), flush=True)


if __name__ == "__main__":
    main()
