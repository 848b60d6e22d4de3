"""Delivery centre proposals (e.g. Orpington): proposed, costed, approved or rejected."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from api.deps import CommandsDep, ExpectedVersionDep, PlannerDep, etag, get_principal, may
from api.problems import CHANGE, CREATE, READ
from api.routers import created, written
from api.schemas.centres import CentreCosting, CentreOut, CentreProposal
from api.schemas.common import Reasoned, Written
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
    principal: may("propose a delivery centre"),  # type: ignore[valid-type]
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    centre_id = commands(planner.propose_centre, **body.model_dump(), actor=principal.name)
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
    principal: may("cost a delivery centre"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The feasibility study's costing."""
    version = commands(
        planner.cost_centre,
        centre_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, centre_id, version)


@router.post("/{centre_id}/approve", responses=CHANGE)
def approve_centre(
    centre_id: UUID,
    body: Reasoned,
    principal: may("approve a delivery centre"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.approve_centre,
        centre_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, centre_id, version)


@router.post("/{centre_id}/reject", responses=CHANGE)
def reject_centre(
    centre_id: UUID,
    body: Reasoned,
    principal: may("reject a delivery centre"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.reject_centre,
        centre_id,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, centre_id, version)
