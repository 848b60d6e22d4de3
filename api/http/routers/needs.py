"""Training needs, through every step of the Systems Approach."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from api.http.deps import (
    ExpectedVersionDep,
    MayEndorseNeed,
    MayEvaluateNeed,
    MayIdentifyNeed,
    MayPrioritiseNeed,
    MayRecordAnalysis,
    MayRecordDelivery,
    MayRejectNeed,
    MayWithdrawNeed,
    PlannerDep,
    etag,
    get_principal,
)
from api.http.problems import CHANGE, CREATE, READ
from api.http.routers import created, written
from api.http.schemas.common import Reasoned, Written
from api.http.schemas.needs import (
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
    principal: MayIdentifyNeed,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """A planner or board chair raises a need for their own business group."""
    need_id = planner.identify_need(
        group_id=body.group_id,
        title=body.title,
        trigger=body.trigger,
        description=body.description,
        actor=principal.name,
        acting_for=principal.acting_for,
        effective_on=body.effective_on,
    )
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
    principal: MayRecordAnalysis,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """LSPU records (or refines, until the board prioritises) the performance needs analysis."""
    version = planner.record_analysis(
        need_id,
        gap_statement=body.gap_statement,
        audience=body.audience,
        learners=body.learners,
        course_code=body.course_code,
        delivery_mode=body.delivery_mode,
        days_per_learner=body.days_per_learner,
        class_size_min=body.class_size_min,
        class_size_max=body.class_size_max,
        trainers_per_session=body.trainers_per_session,
        required_features=body.required_features,
        mandatory_basis=body.mandatory_basis,
        risk_if_untrained=body.risk_if_untrained,
        window_start=body.window_start,
        window_end=body.window_end,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/prioritise", responses=CHANGE)
def prioritise_need(
    need_id: UUID,
    body: Prioritisation,
    principal: MayPrioritiseNeed,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The need's own board places it on the four-level scale."""
    version = planner.prioritise_need(
        need_id,
        level=body.level,
        score=body.score,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        acting_for=principal.acting_for,
        effective_on=body.effective_on,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/endorse", responses=CHANGE)
def endorse_need(
    need_id: UUID,
    body: Reasoned,
    principal: MayEndorseNeed,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.endorse_need(
        need_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/reject", responses=CHANGE)
def reject_need(
    need_id: UUID,
    body: Reasoned,
    principal: MayRejectNeed,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.reject_need(
        need_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/withdraw", responses=CHANGE)
def withdraw_need(
    need_id: UUID,
    body: Reasoned,
    principal: MayWithdrawNeed,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Withdrawn at any point before delivery; planners and chairs only for their group."""
    version = planner.withdraw_need(
        need_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        acting_for=principal.acting_for,
        effective_on=body.effective_on,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/delivery", responses=CHANGE)
def record_delivery(
    need_id: UUID,
    body: Delivery,
    principal: MayRecordDelivery,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.record_delivery(
        need_id,
        attendance=body.attendance,
        actual_cost=body.actual_cost,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, need_id, version)


@router.post("/{need_id}/evaluation", responses=CHANGE)
def evaluate_need(
    need_id: UUID,
    body: Evaluation,
    principal: MayEvaluateNeed,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Evaluation against Kirkpatrick's four levels."""
    version = planner.evaluate_need(
        need_id,
        level=body.level,
        score=body.score,
        notes=body.notes,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, need_id, version)
