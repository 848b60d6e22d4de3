"""Business groups and their training boards."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Response, status

from api.deps import CommandsDep, ExpectedVersionDep, PlannerDep, etag, get_principal, may
from api.problems import CHANGE, CREATE, READ
from api.routers import created, written
from api.schemas.common import Written
from api.schemas.groups import (
    AllowanceSetting,
    BoardChairAssignment,
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
        board_chair=group.board_chair,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=CREATE)
def register_group(
    body: GroupRegistration,
    principal: may("register a business group"),  # type: ignore[valid-type]
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Registers a business group (one training board). Its code is its natural key."""
    group_id = commands(planner.register_group, **body.model_dump(), actor=principal.name)
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
    principal: may("update a group's headcount"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.update_headcount,
        group_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, group_id, version)


@router.post("/{group_id}/allowance", responses=CHANGE)
def set_allowance(
    group_id: UUID,
    body: AllowanceSetting,
    principal: may("set a group's training allowance"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The group's board sets the acceptable training time per head per year."""
    principal.require_group("set a group's training allowance", group_id)
    version = commands(
        planner.set_allowance,
        group_id,
        **body.model_dump(),
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, group_id, version)


@router.post("/{group_id}/board-chair", responses=CHANGE)
def assign_board_chair(
    group_id: UUID,
    body: BoardChairAssignment,
    principal: may("assign a board chair"),  # type: ignore[valid-type]
    expected: ExpectedVersionDep,
    commands: CommandsDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = commands(
        planner.assign_board_chair,
        group_id,
        chair=body.chair,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, group_id, version)
