"""Planning cycles: the year's plan, its optimisation runs (as jobs), the draft prospectus,
its amendment and publication."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Response, status

from api.deps import (
    CommandsDep,
    ExpectedVersionDep,
    PlannerDep,
    PlanningDep,
    ResourcesDep,
    etag,
    get_principal,
    may,
)
from api.problems import CHANGE, CREATE, READ, problems
from api.routers import created, written
from api.schemas.common import Reasoned, Written
from api.schemas.cycles import (
    BudgetChange,
    CycleOpening,
    CycleOut,
    Drafting,
    RunRequest,
    RunStatus,
    SessionAmendment,
    SessionPin,
    WeightsSetting,
)
from domain import PlanningCycle

router = APIRouter(
    prefix="/api/v1/cycles", tags=["planning cycles"], dependencies=[Depends(get_principal)]
)

RunId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")]
SessionId = Annotated[str, Path(min_length=1, max_length=80)]


def cycle_out(cycle: PlanningCycle) -> CycleOut:
    runs = {
        run_id: {key: value for key, value in run.items() if key != "allocation"}
        | {"sessions": len(run["allocation"].get("sessions", []))}
        for run_id, run in cycle.runs.items()
    }
    return CycleOut(
        id=cycle.id,
        version=cycle.version,
        name=cycle.name,
        starts_on=cycle.starts_on,
        ends_on=cycle.ends_on,
        budget=cycle.budget,
        weights=cycle.weights,
        status=cycle.status.value,
        runs=runs,
        runs_in_progress=sorted(cycle.runs_in_progress),
        draft_run_id=cycle.draft_run_id,
        draft=cycle.draft,
        published=cycle.published,
        prospectus_edition=cycle.prospectus_edition,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=CREATE)
def open_cycle(
    body: CycleOpening,
    principal: may("open a planning cycle"),  # type: ignore[valid-type]
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Opens the year's plan (e.g. 2003/04) with its dates and budget. Its name is its key."""
    cycle_id = commands(planner.open_cycle, **body.model_dump(), actor=principal.name)
    return created(response, f"/api/v1/cycles/{cycle_id}", cycle_id)


@router.get("/{cycle_id}", responses=READ)
def get_cycle(cycle_id: UUID, planner: PlannerDep, response: Response) -> CycleOut:
    """The cycle now: settings, runs, the draft and the published prospectus."""
    cycle = planner.load(PlanningCycle, cycle_id)
    response.headers["ETag"] = etag(cycle.version)
    return cycle_out(cycle)


@router.post("/{cycle_id}/budget", responses=CHANGE)
def change_budget(
    cycle_id: UUID,
    body: BudgetChange,
    principal: may("change a cycle's budget"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.change_budget,
        cycle_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/weights", responses=CHANGE)
def set_weights(
    cycle_id: UUID,
    body: WeightsSetting,
    principal: may("set strategic weights"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The TMB's strategic weights, e.g. how much an Essential learner counts."""
    version = commands(
        planner.set_weights,
        cycle_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, cycle_id, version)


# --- optimisation runs, as jobs ---------------------------------------------------------------


@router.post(
    "/{cycle_id}/runs",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        202: {
            "description": "The run started; `Location` is its status URL",
            "headers": {
                "Location": {"schema": {"type": "string"}, "description": "The run's status URL"}
            },
        },
        **problems(401, 403, 404, 409, 422),
    },
)
def start_run(
    cycle_id: UUID,
    principal: may("run the optimiser"),  # type: ignore[valid-type]
    planning: PlanningDep,
    resources: ResourcesDep,
    planner: PlannerDep,
    response: Response,
    body: Annotated[RunRequest | None, Body()] = None,
) -> RunStatus:
    """Starts an optimisation run and answers at once (202) with its status URL. The solve runs
    off the request path; poll the URL for progress (incumbent objective, bound, gap, elapsed)
    and the result. A run that finishes is recorded as an event on the cycle (and, unless it is
    a what-if, drafted); one cut off by a restart is marked interrupted. No If-Match: starting
    a run changes nothing a client has read."""
    request = body or RunRequest()
    planner.load(PlanningCycle, cycle_id)
    run_id = planning.start_run(
        cycle_id, actor=principal.name, time_limit=request.time_limit, what_if=request.what_if
    )
    resources.catch_up()
    response.headers["Location"] = f"/api/v1/cycles/{cycle_id}/runs/{run_id}"
    return RunStatus(**planning.run_status(run_id, cycle_id))


@router.get("/{cycle_id}/runs/{run_id}", responses=READ)
def run_status(cycle_id: UUID, run_id: RunId, planning: PlanningDep) -> RunStatus:
    """A run's progress while it solves, its result when done."""
    return RunStatus(**planning.run_status(run_id, cycle_id))


def _cancel(cycle_id: UUID, run_id: str, planning: object) -> RunStatus:
    state = planning.run_status(run_id, cycle_id)  # type: ignore[attr-defined]
    if state["state"] == "running":
        planning.cancel(run_id)  # type: ignore[attr-defined]
        state = planning.run_status(run_id, cycle_id)  # type: ignore[attr-defined]
    return RunStatus(**state)


@router.delete(
    "/{cycle_id}/runs/{run_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 403, 404),
)
def cancel_run(
    cycle_id: UUID,
    run_id: RunId,
    principal: may("cancel an optimisation run"),  # type: ignore[valid-type]
    planning: PlanningDep,
) -> RunStatus:
    """Asks a running run to stop; it keeps and records the best allocation found so far.
    A run that already ended is left as it is."""
    return _cancel(cycle_id, run_id, planning)


@router.post(
    "/{cycle_id}/runs/{run_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 403, 404),
)
def cancel_run_by_post(
    cycle_id: UUID,
    run_id: RunId,
    principal: may("cancel an optimisation run"),  # type: ignore[valid-type]
    planning: PlanningDep,
) -> RunStatus:
    """The same as DELETE, for clients that only POST."""
    return _cancel(cycle_id, run_id, planning)


# --- the prospectus ---------------------------------------------------------------------------


@router.post("/{cycle_id}/prospectus/draft", responses=CHANGE)
def draft_prospectus(
    cycle_id: UUID,
    body: Drafting,
    principal: may("draft the prospectus"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Makes the draft prospectus from a finished run (bookings are tentative)."""
    version = commands(
        planner.draft_prospectus,
        cycle_id,
        run_id=body.run_id,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/prospectus/sessions/{session_id}/amend", responses=CHANGE)
def amend_session(
    cycle_id: UUID,
    session_id: SessionId,
    body: SessionAmendment,
    principal: may("amend a draft session"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Moves a draft session by hand: another venue or other dates."""
    changes = body.model_dump(exclude_none=True)
    if "venue_id" in changes:
        changes["venue_id"] = str(changes["venue_id"])
    version = commands(
        planner.amend_session,
        cycle_id,
        session_id=session_id,
        **changes,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/prospectus/sessions/{session_id}/pin", responses=CHANGE)
def pin_session(
    cycle_id: UUID,
    session_id: SessionId,
    body: SessionPin,
    principal: may("pin a draft session"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Pins (or unpins) a session, so that re-optimising leaves it where it is."""
    version = commands(
        planner.pin_session,
        cycle_id,
        session_id=session_id,
        pinned=body.pinned,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/prospectus/publish", responses=CHANGE)
def publish_prospectus(
    cycle_id: UUID,
    body: Reasoned,
    principal: may("publish the prospectus"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Publishes the draft: every facility confirms its sessions (the double-booking check
    that may never fail) and every need is scheduled, in one atomic write. A facility or need
    changed meanwhile by someone else answers 409: retry."""
    version = commands(
        planner.publish_prospectus,
        cycle_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/close", responses=CHANGE)
def close_cycle(
    cycle_id: UUID,
    body: Reasoned,
    principal: may("close a planning cycle"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.close_cycle,
        cycle_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, cycle_id, version)
