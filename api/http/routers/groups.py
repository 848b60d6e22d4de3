"""Business groups and their training boards."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from api.http.deps import (
    ExpectedVersionDep,
    MayAssignBoardChair,
    MayRegisterGroup,
    MaySetAllowance,
    MaySetCapabilityLimit,
    MayUpdateHeadcount,
    PlannerDep,
    etag,
    get_principal,
)
from api.http.problems import CHANGE, CREATE, READ
from api.http.routers import created, written
from api.http.schemas.common import Written
from api.http.schemas.groups import (
    AllowanceSetting,
    BoardChairAssignment,
    CapabilityLimitSetting,
    GroupOut,
    GroupRegistration,
    HeadcountUpdate,
)
from domain import BusinessGroup

router = APIRouter(
    prefix="/api/v1/groups", tags=["business groups"], dependencies=[Depends(get_principal)]
)


def group_out(group: BusinessGroup) -> GroupOut:
    return GroupOut(
        id=group.id,
        version=group.version,
        name=group.name,
        code=group.code,
        officers=group.officers,
        staff=group.staff,
        headcount=group.headcount,
        allowance_hours_per_head=group.allowance_hours_per_head,
        capability_percent=group.capability_percent,
        board_chair=group.board_chair,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=CREATE)
def register_group(
    body: GroupRegistration,
    principal: MayRegisterGroup,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Registers a business group (one training board). Its code is its natural key."""
    group_id = planner.register_group(
        name=body.name,
        code=body.code,
        officers=body.officers,
        staff=body.staff,
        actor=principal.name,
        effective_on=body.effective_on,
    )
    return created(response, f"/api/v1/groups/{group_id}", group_id)


@router.get("/{group_id}", responses=READ)
def get_group(group_id: UUID, planner: PlannerDep, response: Response) -> GroupOut:
    """The group as it is now; its version is the ETag to send back with If-Match."""
    group = planner.load(BusinessGroup, group_id)
    response.headers["ETag"] = etag(group.version)
    return group_out(group)


@router.post("/{group_id}/headcount", responses=CHANGE)
def update_headcount(
    group_id: UUID,
    body: HeadcountUpdate,
    principal: MayUpdateHeadcount,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.update_headcount(
        group_id,
        officers=body.officers,
        staff=body.staff,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, group_id, version)


@router.post("/{group_id}/allowance", responses=CHANGE)
def set_allowance(
    group_id: UUID,
    body: AllowanceSetting,
    principal: MaySetAllowance,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The group's board sets the acceptable training time per head per year."""
    version = planner.set_allowance(
        group_id,
        hours_per_head=body.hours_per_head,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        acting_for=principal.acting_for,
        effective_on=body.effective_on,
    )
    return written(response, group_id, version)


@router.post("/{group_id}/capability", responses=CHANGE)
def set_capability_limit(
    group_id: UUID,
    body: CapabilityLimitSetting,
    principal: MaySetCapabilityLimit,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The group's board sets the most of its headcount (per cent, 0-100) that may be away
    training in any week; the optimiser keeps every week under it (5% until set)."""
    version = planner.set_capability_limit(
        group_id,
        away_percent=body.away_percent,
        effective_on=body.effective_on,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        acting_for=principal.acting_for,
    )
    return written(response, group_id, version)


@router.post("/{group_id}/board-chair", responses=CHANGE)
def assign_board_chair(
    group_id: UUID,
    body: BoardChairAssignment,
    principal: MayAssignBoardChair,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.assign_board_chair(
        group_id,
        chair=body.chair,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, group_id, version)
