"""Training needs, through every step of the Systems Approach."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from api.deps import CommandsDep, ExpectedVersionDep, PlannerDep, etag, get_principal, may
from api.problems import CHANGE, CREATE, READ
from api.routers import created, written
from api.schemas.common import Reasoned, Written
from api.schemas.needs import (
    Analysis,
    Delivery,
    Evaluation,
    NeedIdentification,
    NeedOut,
    Prioritisation,
)
from domain import TrainingNeed

router = APIRouter(
    prefix="/api/v1/needs", tags=["training needs"], dependencies=[Depends(get_principal)]
)


def need_out(need: TrainingNeed) -> NeedOut:
    return NeedOut(
        id=need.id,
        version=need.version,
        group_id=need.group_id,
        title=need.title,
        trigger=need.trigger,
        description=need.description,
        status=need.status.value,
        analysis=need.analysis,
        priority_level=need.priority_level,
        priority_score=need.priority_score,
        decision_reason=need.decision_reason,
        scheduled_in=need.scheduled_in,
        attendance=need.attendance,
        actual_cost=need.actual_cost,
        evaluation=need.evaluation,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=CREATE)
def identify_need(
    body: NeedIdentification,
    principal: may("identify a training need"),  # type: ignore[valid-type]
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """A planner or board chair raises a need for their own business group."""
    principal.require_group("identify a training need", body.group_id)
    need_id = commands(planner.identify_need, **body.model_dump(), actor=principal.name)
    return created(response, f"/api/v1/needs/{need_id}", need_id)


@router.get("/{need_id}", responses=READ)
def get_need(need_id: UUID, planner: PlannerDep, response: Response) -> NeedOut:
    """The need as it is now; its version is the ETag to send back with If-Match."""
    need = planner.load(TrainingNeed, need_id)
    response.headers["ETag"] = etag(need.version)
    return need_out(need)


@router.post("/{need_id}/analysis", responses=CHANGE)
def record_analysis(
    need_id: UUID,
    body: Analysis,
    principal: may("record a performance needs analysis"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """LSPU records (or refines, until the board prioritises) the performance needs analysis."""
    version = commands(
        planner.record_analysis,
        need_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/prioritise", responses=CHANGE)
def prioritise_need(
    need_id: UUID,
    body: Prioritisation,
    principal: may("prioritise a training need"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The need's own board places it on the four-level scale."""
    need = planner.load(TrainingNeed, need_id)
    principal.require_group("prioritise a training need", need.group_id)
    version = commands(
        planner.prioritise_need,
        need_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/endorse", responses=CHANGE)
def endorse_need(
    need_id: UUID,
    body: Reasoned,
    principal: may("endorse a training need"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.endorse_need,
        need_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/reject", responses=CHANGE)
def reject_need(
    need_id: UUID,
    body: Reasoned,
    principal: may("reject a training need"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.reject_need,
        need_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/withdraw", responses=CHANGE)
def withdraw_need(
    need_id: UUID,
    body: Reasoned,
    principal: may("withdraw a training need"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Withdrawn at any point before delivery; planners and chairs only for their group."""
    need = planner.load(TrainingNeed, need_id)
    principal.require_group("withdraw a training need", need.group_id)
    version = commands(
        planner.withdraw_need,
        need_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/delivery", responses=CHANGE)
def record_delivery(
    need_id: UUID,
    body: Delivery,
    principal: may("record a delivery"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.record_delivery,
        need_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/evaluation", responses=CHANGE)
def evaluate_need(
    need_id: UUID,
    body: Evaluation,
    principal: may("evaluate a training need"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Evaluation against Kirkpatrick's four levels."""
    version = commands(
        planner.evaluate_need,
        need_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, need_id, version)
