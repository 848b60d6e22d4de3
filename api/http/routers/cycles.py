"""Planning cycles: the year's plan, its optimisation runs (as jobs), the draft prospectus,
its amendment and publication."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Path, Response, status

from api.http.deps import (
    ExpectedVersionDep,
    MayAmendSession,
    MayCancelRun,
    MayChangeBudget,
    MayCloseCycle,
    MayDraftProspectus,
    MayOpenCycle,
    MayPinSession,
    MayPublishProspectus,
    MayRunOptimiser,
    MaySetWeights,
    PlannerDep,
    PlanningDep,
    etag,
    get_principal,
)
from api.http.problems import CHANGE, CREATE, READ, problems
from api.http.routers import created, written
from api.http.schemas.common import Reasoned, Written
from api.http.schemas.cycles import (
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
from domain import InvalidValue, PlanningCycle
from planning.adapter import ProblemError
from planning.service import PlanningService

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
    principal: MayOpenCycle,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Opens the year's plan (e.g. 2003/04) with its dates and budget. Its name is its key."""
    cycle_id = planner.open_cycle(
        name=body.name,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        budget=body.budget,
        actor=principal.name,
        effective_on=body.effective_on,
    )
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
    principal: MayChangeBudget,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.change_budget(
        cycle_id,
        budget=body.budget,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/weights", responses=CHANGE)
def set_weights(
    cycle_id: UUID,
    body: WeightsSetting,
    principal: MaySetWeights,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The TMB's strategic weights, e.g. how much an Essential learner counts."""
    version = planner.set_weights(
        cycle_id,
        weights=body.weights,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
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
    principal: MayRunOptimiser,
    planning: PlanningDep,
    response: Response,
    body: Annotated[RunRequest | None, Body()] = None,
) -> RunStatus:
    """Starts an optimisation run and answers at once (202) with its status URL. The run waits
    on the run queue (state `running`, `queued: true`) until a worker takes it (the server's
    own, or a `trainplan worker` process); poll the URL, from any server, for progress
    (incumbent objective, bound, gap, elapsed) and the result. A run that finishes is recorded
    as an event on the cycle (and, unless it is a what-if, drafted); one whose worker stopped
    is marked interrupted and can be retried. No If-Match: starting a run changes nothing a
    client has read."""
    request = body or RunRequest()
    try:
        run_id = planning.start_run(
            cycle_id,
            actor=principal.name,
            time_limit=request.time_limit,
            what_if=request.what_if,
            effective_on=request.effective_on,
        )
    except ProblemError as error:  # the cycle itself cannot be planned: nothing was recorded
        raise InvalidValue("cycle_id", str(error)) from None
    except ValueError as error:  # the what-if is refused before anything is solved or recorded
        raise InvalidValue("what_if", str(error).removeprefix("what_if.")) from None
    response.headers["Location"] = f"/api/v1/cycles/{cycle_id}/runs/{run_id}"
    return RunStatus(**planning.run_status(run_id, cycle_id))


@router.get("/{cycle_id}/runs/{run_id}", responses=READ)
def run_status(cycle_id: UUID, run_id: RunId, planning: PlanningDep) -> RunStatus:
    """A run's progress while it solves, its result when done. Any server answers for any
    run: the progress is on the run queue's row, written by the worker every half second."""
    return RunStatus(**planning.run_status(run_id, cycle_id))


@router.post(
    "/{cycle_id}/runs/{run_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        202: {
            "description": "The new run started; `Location` is its status URL",
            "headers": {
                "Location": {"schema": {"type": "string"}, "description": "The new run's URL"}
            },
        },
        **problems(401, 403, 404, 409, 422),
    },
)
def retry_run(
    cycle_id: UUID,
    run_id: RunId,
    principal: MayRunOptimiser,
    planning: PlanningDep,
    response: Response,
) -> RunStatus:
    """Starts an interrupted or failed run again: a new run with the same settings (its
    `retry_of` names this one; the cycle's history keeps both). Any other run answers 409."""
    try:
        new_id = planning.retry_run(cycle_id, run_id, actor=principal.name)
    except ProblemError as error:  # the cycle cannot be planned any more: nothing recorded
        raise InvalidValue("cycle_id", str(error)) from None
    except ValueError as error:  # its what-if no longer fits the cycle
        raise InvalidValue("what_if", str(error).removeprefix("what_if.")) from None
    response.headers["Location"] = f"/api/v1/cycles/{cycle_id}/runs/{new_id}"
    return RunStatus(**planning.run_status(new_id, cycle_id))


def _cancel(cycle_id: UUID, run_id: str, planning: PlanningService) -> RunStatus:
    state = planning.run_status(run_id, cycle_id)
    if state["state"] == "running":
        planning.cancel(run_id)
        state = planning.run_status(run_id, cycle_id)
    return RunStatus(**state)


@router.delete(
    "/{cycle_id}/runs/{run_id}",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 403, 404),
)
def cancel_run(
    cycle_id: UUID,
    run_id: RunId,
    principal: MayCancelRun,
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
    principal: MayCancelRun,
    planning: PlanningDep,
) -> RunStatus:
    """The same as DELETE, for clients that only POST."""
    return _cancel(cycle_id, run_id, planning)


# --- the prospectus ---------------------------------------------------------------------------


@router.post("/{cycle_id}/prospectus/draft", responses=CHANGE)
def draft_prospectus(
    cycle_id: UUID,
    body: Drafting,
    principal: MayDraftProspectus,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Makes the draft prospectus from a finished run (bookings are tentative)."""
    version = planner.draft_prospectus(
        cycle_id,
        run_id=body.run_id,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/prospectus/sessions/{session_id}/amend", responses=CHANGE)
def amend_session(
    cycle_id: UUID,
    session_id: SessionId,
    body: SessionAmendment,
    principal: MayAmendSession,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Moves a draft session by hand: another venue or other dates."""
    version = planner.amend_session(
        cycle_id,
        session_id=session_id,
        venue_kind=body.venue_kind,
        venue_id=None if body.venue_id is None else str(body.venue_id),
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/prospectus/sessions/{session_id}/pin", responses=CHANGE)
def pin_session(
    cycle_id: UUID,
    session_id: SessionId,
    body: SessionPin,
    principal: MayPinSession,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Pins (or unpins) a session, so that re-optimising leaves it where it is."""
    version = planner.pin_session(
        cycle_id,
        session_id=session_id,
        pinned=body.pinned,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/prospectus/publish", responses=CHANGE)
def publish_prospectus(
    cycle_id: UUID,
    body: Reasoned,
    principal: MayPublishProspectus,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Publishes the draft: every facility confirms its sessions (the double-booking check
    that may never fail) and every need is scheduled, in one atomic write. A facility or need
    changed meanwhile by someone else answers 409: retry."""
    version = planner.publish_prospectus(
        cycle_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, cycle_id, version)


@router.post("/{cycle_id}/close", responses=CHANGE)
def close_cycle(
    cycle_id: UUID,
    body: Reasoned,
    principal: MayCloseCycle,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.close_cycle(
        cycle_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, cycle_id, version)
