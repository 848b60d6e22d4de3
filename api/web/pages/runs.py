"""Optimisation runs: the list of a cycle's runs, starting runs (the base plan and what-ifs,
checked before anything is recorded), a run's live progress and its result in the planners'
units (learners per level and group, pounds, each unmet need and why), two runs side by side,
and publishing a run's plan as the prospectus (the TMB alone)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.files.prospectus import every_row
from api.stack import Stack
from api.web.common import (
    FormDep,
    PageRefused,
    ProjectionsDep,
    StackDep,
    UserDep,
    centre_names,
    chosen_cycle,
    need_titles,
    render,
    require,
    see_other,
)
from api.web.dates import runs_started
from api.web.session import WebUser
from domain import DomainError
from planning.adapter import ProblemError, build_problem
from planning.model import LEVELS
from planning.whatif import check, impossible, parse

router = APIRouter(include_in_schema=False)

RUN = "run the optimiser"
PUBLISH = "publish the prospectus"
RunId = Annotated[str, Query(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")]


def _planning(stack: Stack) -> Any:
    if stack.planning is None:
        raise PageRefused(503, "Optimisation unavailable", "The planning service is not running.")
    return stack.planning


def run_view(stack: Stack, cycle_id: str, run_id: str) -> dict[str, Any]:
    """A run as the pages show it: its read-model row, its status and result in the planners'
    units, and names in place of ids."""
    rows = every_row(stack.projections, "runs", {"cycle_id": cycle_id, "run_id": run_id})
    if not rows:
        raise PageRefused(404, "No such run", f"There is no optimisation run {run_id}.")
    runs_started(stack.projections, cycle_id, rows)
    try:
        status = _planning(stack).run_status(run_id, UUID(cycle_id))
    except DomainError as error:
        raise PageRefused(404, "No such run", str(error)) from None
    result = status.pop("result", None) or {}
    centres = centre_names(stack.projections)
    needs = need_titles(stack.projections)
    what_if = (rows[0]["settings"] or {}).get("what_if") or {}
    unmet = [
        {**item, "title": (needs.get(item.get("need_id", "")) or {}).get("title", "a need")}
        for item in status.get("unmet") or []
    ]
    return {
        **rows[0], **status, "unmet": unmet,
        "what_if_name": what_if.get("name") if isinstance(what_if, dict) else None,
        "centre_names": [centres.get(c, c) for c in result.get(
            "centres_opened", rows[0]["centres_opened"]) or []],
        "moved": len(result.get("moves") or []),
        "time_limit": (rows[0]["settings"] or {}).get("time_limit"),
    }  # fmt: skip


def progress_words(status: dict[str, Any]) -> str:
    if status["state"] != "running":
        return f"The run has {status['state']}."
    stage = status.get("stage") or "placing mandated learners"
    if status.get("objective") is None:
        return f"Stage: {stage}; no plan reported yet."
    gap = "" if status.get("gap") is None else f", within {status['gap']:.1%} of the bound"
    return (
        f"Stage: {stage}; best so far {status['objective']:,.0f} {status.get('unit') or ''}{gap}."
    )


@router.get("/runs", response_class=HTMLResponse)
def runs(
    request: Request,
    user: UserDep,
    projections: ProjectionsDep,
    cycle: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    chosen = chosen_cycle(projections, cycle)
    listed = []
    if chosen:
        listed = sorted(
            every_row(projections, "runs", {"cycle_id": chosen["cycle_id"]}),
            key=lambda r: r["started_at"] or "", reverse=True,
        )  # fmt: skip
        runs_started(projections, chosen["cycle_id"], listed)
    return render(request, user, "runs.html", cycle=chosen, runs=listed,
                  cycles=every_row(projections, "cycles"), may_run=user.may(RUN))  # fmt: skip


def _checked_what_ifs(stack: Stack, cycle_id: UUID, lines: list[str]) -> list[dict[str, Any]]:
    """Every what-if read and applied, and the base and each variant checked for what makes them
    infeasible whatever is planned, before anything is recorded (as `trainplan optimise`)."""
    try:
        problem = build_problem(stack.projections.problem_source(), cycle_id)
    except ProblemError as error:
        raise ValueError(f"the cycle cannot be planned: {error}") from None
    found = impossible(problem)
    if found:
        raise ValueError(f"the cycle cannot be planned: {'; '.join(found)}")
    out = []
    for line in lines:
        try:
            change = parse(line)
            check(problem, change)
        except ValueError as error:
            raise ValueError(f"what-if {line!r}: {error}") from None
        out.append(asdict(change))
    return out


@router.post("/runs", response_class=HTMLResponse)
def start(request: Request, user: UserDep, stack: StackDep, form: FormDep) -> Response:
    """Starts the base plan, or one run per what-if line."""
    require(user, RUN)
    chosen = chosen_cycle(stack.projections, str(form.get("cycle") or "") or None)
    if chosen is None:
        raise PageRefused(404, "No cycle", "There is no planning cycle to optimise.")
    text = str(form.get("time_limit") or "20").strip()
    lines = [line.strip() for line in str(form.get("what_ifs") or "").splitlines() if line.strip()]
    try:
        limit = float(text)
        if not 1 <= limit <= 600:
            raise ValueError
    except ValueError:
        return _refused(request, user, stack, chosen, f"time limit: {text!r} must be 1 to 600 s")
    cycle_id = UUID(chosen["cycle_id"])
    try:
        variants = _checked_what_ifs(stack, cycle_id, lines) if lines else [None]
    except ValueError as error:
        return _refused(request, user, stack, chosen, str(error))
    planning = _planning(stack)
    started = [
        planning.start_run(cycle_id, actor=user.name, time_limit=limit, what_if=variant)
        for variant in variants
    ]
    return see_other(f"/runs/{cycle_id}/{started[0]}")


def _refused(
    request: Request, user: WebUser, stack: Stack, cycle: dict[str, Any], error: str
) -> HTMLResponse:
    listed = sorted(every_row(stack.projections, "runs", {"cycle_id": cycle["cycle_id"]}),
                    key=lambda r: r["started_at"] or "", reverse=True)  # fmt: skip
    runs_started(stack.projections, cycle["cycle_id"], listed)
    return render(request, user, "runs.html", status=422, cycle=cycle, runs=listed,
                  cycles=every_row(stack.projections, "cycles"), may_run=user.may(RUN),
                  error=error)  # fmt: skip


@router.get("/runs/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    user: UserDep,
    stack: StackDep,
    a: RunId,
    b: RunId,
    cycle: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    chosen = chosen_cycle(stack.projections, cycle)
    if chosen is None:
        raise PageRefused(404, "No cycle", "There is no planning cycle.")
    left, right = run_view(stack, chosen["cycle_id"], a), run_view(stack, chosen["cycle_id"], b)
    groups = sorted(set(left.get("by_group") or {}) | set(right.get("by_group") or {}))
    return render(request, user, "compare.html", cycle=chosen, runs=(left, right),
                  levels=LEVELS, groups=groups)  # fmt: skip


@router.get("/runs/{cycle_id}/{run_id}", response_class=HTMLResponse)
def run_page(
    request: Request, cycle_id: UUID, run_id: str, user: UserDep, stack: StackDep
) -> HTMLResponse:
    run = run_view(stack, str(cycle_id), run_id)
    cycle = chosen_cycle(stack.projections, None)
    cycles = {c["cycle_id"]: c for c in every_row(stack.projections, "cycles")}
    cycle = cycles.get(str(cycle_id), cycle)
    publishable = (
        run["state"] == "finished" and not run["what_if"]
        and run["status"] in ("OPTIMAL", "FEASIBLE") and run["sessions"] > 0
    )  # fmt: skip
    return render(request, user, "run.html", run=run, cycle=cycle, levels=LEVELS,
                  words=progress_words(run), publishable=publishable,
                  may_publish=user.may(PUBLISH),
                  published=request.query_params.get("published"))  # fmt: skip


@router.get("/runs/{cycle_id}/{run_id}/progress")
def progress(cycle_id: UUID, run_id: str, user: UserDep, stack: StackDep) -> JSONResponse:
    """What the run page polls while the run solves."""
    try:
        status = _planning(stack).run_status(run_id, cycle_id)
    except DomainError as error:
        raise PageRefused(404, "No such run", str(error)) from None
    keep = ("state", "stage", "unit", "objective", "bound", "gap", "elapsed", "solutions")
    return JSONResponse({**{k: status.get(k) for k in keep}, "words": progress_words(status)})


@router.post("/runs/{cycle_id}/{run_id}/publish", response_class=HTMLResponse)
def publish(
    request: Request, cycle_id: UUID, run_id: str, user: UserDep, stack: StackDep, form: FormDep
) -> Response:
    """Drafts the prospectus from this run (unless it is the draft already) and publishes it:
    the application's two commands, each against the version read."""
    require(user, PUBLISH)
    reason = " ".join(str(form.get("reason") or "").split())
    version_text = str(form.get("version") or "")
    run = run_view(stack, str(cycle_id), run_id)
    cycles = {c["cycle_id"]: c for c in every_row(stack.projections, "cycles")}
    cycle = cycles[str(cycle_id)]
    error = None
    if not reason:
        error = "reason: say why the prospectus is published (not blank)"
    elif not version_text.isdigit():
        error = "version: reload the page and try again"
    if error is None:
        try:
            version = int(version_text)
            if cycle["draft_run_id"] != run_id:
                version = stack.planner.draft_prospectus(
                    cycle_id, run_id=run_id, actor=user.name, expected_version=version
                )
            stack.planner.publish_prospectus(
                cycle_id, reason=reason, actor=user.name, expected_version=version
            )
        except DomainError as refused:
            error = str(refused)
    if error is None:
        return see_other(f"/runs/{cycle_id}/{run_id}?published=1")
    return render(request, user, "run.html", status=422, run=run, cycle=cycle, levels=LEVELS,
                  words=progress_words(run), publishable=True, may_publish=True,
                  error=error, reason=reason)  # fmt: skip
