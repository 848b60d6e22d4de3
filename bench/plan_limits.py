"""What the boards' limits change in the demo's plan: at the busiest week, the share of each
group's headcount away training, and the trainers at work on the busiest day.

    python bench/plan_limits.py [--time-limit 20] [--workers 1]

Solves the problem `trainplan demo` hands the optimiser twice, each plan validated:
`before`, with the rules of this issue lifted (no operational capability limit, no trainer
pools, every need in rooms as before delivery mode was read), and `after`, as the demo stands
(5% of a group's headcount away in any week, the demo's trainer pools with their leave and
sickness, delivery modes). Prints a line per plan and ends with one JSON line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import replace
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from planning.facts import trainers_for
from planning.model import CLASSROOM, PlanningProblem
from planning.solver import solve
from planning.validator import away_by_week, validate


def demo_problem() -> PlanningProblem:
    """The problem `trainplan demo` hands the optimiser, built through the application."""
    from api.cli import demo_scenario
    from api.settings import Settings
    from api.stack import open_stack
    from planning.adapter import build_problem

    folder = tempfile.mkdtemp(prefix="trainplan-limits-")
    stack = open_stack(Settings(database_url=f"sqlite:///{folder}/demo.db"), planning=False)
    try:
        ids = demo_scenario.build(stack.planner)
        stack.catch_up()
        return build_problem(stack.projections.problem_source(), ids["cycle_id"])
    finally:
        stack.close()


def without_limits(problem: PlanningProblem) -> PlanningProblem:
    """The problem as the optimiser read it before these rules."""
    return replace(
        problem,
        groups=tuple(replace(g, away_percent=100.0) for g in problem.groups),
        pools=(),
        needs=tuple(replace(n, mode=CLASSROOM, discipline="") for n in problem.needs),
    )


def measure(problem: PlanningProblem, limits: PlanningProblem, seconds: float,
            workers: int) -> dict[str, Any]:  # fmt: skip
    """Solve `problem`; measure the plan against the demo as it stands (`limits`)."""
    result = solve(problem, time_limit=seconds, workers=workers, diagnose=False)
    errors = validate(limits, result).errors  # the plan against the boards' limits
    own = validate(problem, result).errors  # against the rules it was solved under
    away = away_by_week(problem, result.sessions)
    busiest: dict[str, dict[str, Any]] = {}
    for g in problem.groups:
        weeks = {w.isoformat(): n for (gid, w), n in away.items() if gid == g.group_id}
        week, learners = max(weeks.items(), key=lambda kv: kv[1], default=("", 0))
        busiest[g.code] = {
            "week": week or None,
            "learners": learners,
            "share_of_headcount": round(learners / g.headcount, 4) if g.headcount else None,
        }
    by_day: dict[str, int] = {}
    for s in result.sessions:
        for d in s.dates:
            by_day[d.isoformat()] = by_day.get(d.isoformat(), 0) + trainers_for(
                problem, s.course_code
            )
    day, trainers = max(by_day.items(), key=lambda kv: kv[1], default=("", 0))
    return {
        "status": result.status,
        "learners_met": result.learners_met,
        "busiest_week_by_group": busiest,
        "busiest_day": day or None,
        "trainers_at_work_busiest_day": trainers,
        "errors_under_its_rules": len(own),
        "breaks_of_the_limits": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    problem = demo_problem()
    out = {"time_limit": args.time_limit}
    for name, variant in (("before", without_limits(problem)), ("after", problem)):
        out[name] = measure(variant, problem, args.time_limit, args.workers)
        shares = {code: f"{b['share_of_headcount']:.0%}"
                  for code, b in out[name]["busiest_week_by_group"].items()}  # fmt: skip
        print(f"{name}: busiest week share of headcount {shares}; "
              f"{out[name]['trainers_at_work_busiest_day']} trainers at work on "
              f"{out[name]['busiest_day']}; mandated {out[name]['learners_met'].get('Mandated')}",
              file=sys.stderr)  # fmt: skip
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
