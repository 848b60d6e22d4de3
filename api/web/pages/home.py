"""The home page: the current cycle at a glance, and a link to every page."""

from __future__ import annotations

from collections import Counter
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.files.prospectus import every_row
from api.stack import Stack
from api.web.common import ProjectionsDep, StackDep, UserDep, chosen_cycle, render
from api.web.dates import published, runs_started
from domain.needs import NeedStatus
from planning.model import LEVELS
from projections import Projections

router = APIRouter(include_in_schema=False)

STAGES = tuple(status.value for status in NeedStatus)


def needs_by_stage(projections: Projections) -> dict[str, Any]:
    """Needs and their learners by stage (rows) and priority level (columns)."""
    counts: Counter[tuple[str, str]] = Counter()
    learners: Counter[str] = Counter()
    for need in every_row(projections, "needs"):
        level = need["level"] or "not yet prioritised"
        counts[(need["status"], level)] += 1
        learners[need["status"]] += need["learners"] or 0
    levels = [*LEVELS, "not yet prioritised"]
    used = [level for level in levels if any(counts[(s, level)] for s in STAGES)]
    rows = [
        {"stage": stage, "counts": [counts[(stage, level)] for level in used],
         "total": sum(counts[(stage, level)] for level in used), "learners": learners[stage]}
        for stage in STAGES
        if any(counts[(stage, level)] for level in used)
    ]  # fmt: skip
    return {"levels": used, "rows": rows}


def latest_run(stack: Stack, cycle: dict[str, Any]) -> dict[str, Any] | None:
    """The cycle's latest recorded run that is not a what-if, in the planners' units."""
    runs = [
        run
        for run in every_row(stack.projections, "runs", {"cycle_id": cycle["cycle_id"]})
        if run["state"] == "recorded" and not run["what_if"]
    ]
    if not runs or stack.planning is None:
        return None
    run = max(runs, key=lambda r: r["started_at"] or "")
    runs_started(stack.projections, cycle["cycle_id"], [run])
    status = stack.planning.run_status(run["run_id"], UUID(cycle["cycle_id"]))
    return {**run, **{k: v for k, v in status.items() if k != "result"}}


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, user: UserDep, stack: StackDep, projections: ProjectionsDep
) -> HTMLResponse:
    cycle = chosen_cycle(projections, request.query_params.get("cycle"))
    run = latest_run(stack, cycle) if cycle else None
    coverage = []
    if run and run.get("learners_met"):
        for level in LEVELS:
            met = (run["learners_met"] or {}).get(level, 0)
            wanted = (run["learners_demanded"] or {}).get(level, 0)
            if wanted:
                coverage.append({"level": level, "met": met, "wanted": wanted,
                                 "share": met / wanted})  # fmt: skip
    return render(
        request, user, "home.html", cycle=cycle, run=run, coverage=coverage,
        needs=needs_by_stage(projections), published=published(projections, cycle),
    )  # fmt: skip
