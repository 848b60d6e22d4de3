"""Delivery centre proposals (e.g. Orpington): proposed, costed, approved or rejected."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from api.http.deps import (
    ExpectedVersionDep,
    MayApproveCentre,
    MayCostCentre,
    MayProposeCentre,
    MayRejectCentre,
    PlannerDep,
    etag,
    get_principal,
)
from api.http.problems import CHANGE, CREATE, READ
from api.http.routers import created, written
from api.http.schemas.centres import CentreCosting, CentreOut, CentreProposal
from api.http.schemas.common import Reasoned, Written
from domain import DeliveryCentreProposal

router = APIRouter(
    prefix="/api/v1/centres", tags=["delivery centres"], dependencies=[Depends(get_principal)]
)


def centre_out(centre: DeliveryCentreProposal) -> CentreOut:
    return CentreOut(
        id=centre.id,
        version=centre.version,
        name=centre.name,
        site=centre.site,
        rooms=centre.rooms,
        capacity=centre.capacity,
        features=centre.features,
        setup_cost=centre.setup_cost,
        running_cost_per_day=centre.running_cost_per_day,
        earliest_opening=centre.earliest_opening,
        status=centre.status.value,
        decision_reason=centre.decision_reason,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=CREATE)
def propose_centre(
    body: CentreProposal,
    principal: MayProposeCentre,
    planner: PlannerDep,
    response: Response,
) -> Written:
    centre_id = planner.propose_centre(
        name=body.name,
        site=body.site,
        rooms=body.rooms,
        capacity=body.capacity,
        features=body.features,
        setup_cost=body.setup_cost,
        running_cost_per_day=body.running_cost_per_day,
        earliest_opening=body.earliest_opening,
        actor=principal.name,
        effective_on=body.effective_on,
    )
    return created(response, f"/api/v1/centres/{centre_id}", centre_id)


@router.get("/{centre_id}", responses=READ)
def get_centre(centre_id: UUID, planner: PlannerDep, response: Response) -> CentreOut:
    centre = planner.load(DeliveryCentreProposal, centre_id)
    response.headers["ETag"] = etag(centre.version)
    return centre_out(centre)


@router.post("/{centre_id}/costing", responses=CHANGE)
def cost_centre(
    centre_id: UUID,
    body: CentreCosting,
    principal: MayCostCentre,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The feasibility study's costing."""
    version = planner.cost_centre(
        centre_id,
        setup_cost=body.setup_cost,
        running_cost_per_day=body.running_cost_per_day,
        notes=body.notes,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, centre_id, version)


@router.post("/{centre_id}/approve", responses=CHANGE)
def approve_centre(
    centre_id: UUID,
    body: Reasoned,
    principal: MayApproveCentre,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.approve_centre(
        centre_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, centre_id, version)


@router.post("/{centre_id}/reject", responses=CHANGE)
def reject_centre(
    centre_id: UUID,
    body: Reasoned,
    principal: MayRejectCentre,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.reject_centre(
        centre_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, centre_id, version)
