"""The dependencies routes declare, once each, as `Annotated` aliases: the stack's parts, the
principal behind the bearer token, one alias per right of `RIGHTS` (the principal, if its role
may do that, else 403), and the version a write names in If-Match. Tests swap them with
`app.dependency_overrides`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.http.auth import RIGHTS, Principal, authenticate
from api.http.problems import ApiProblem
from api.stack import Stack
from domain import TrainingPlanner
from planning.service import PlanningService
from projections import Projections

# --- the stack, built in the app's lifespan ---------------------------------------------------


def get_stack(request: Request) -> Stack:
    stack: Stack = request.app.state.stack
    return stack


StackDep = Annotated[Stack, Depends(get_stack)]


def get_planner(stack: StackDep) -> TrainingPlanner:
    return stack.planner


PlannerDep = Annotated[TrainingPlanner, Depends(get_planner)]


def get_projections(stack: StackDep) -> Projections:
    return stack.projections


ProjectionsDep = Annotated[Projections, Depends(get_projections)]


def get_planning(stack: StackDep) -> PlanningService:
    if stack.planning is None:
        raise ApiProblem(
            503,
            "unavailable",
            "Optimisation unavailable",
            "the planning service is not running on this server",
        )
    return stack.planning


PlanningDep = Annotated[PlanningService, Depends(get_planning)]

# --- who is asking, and what they may do ------------------------------------------------------

bearer = HTTPBearer(
    auto_error=False,
    description="A bearer token from the tokens file (`trainplan demo` prints demo tokens).",
)


def get_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    request: Request,
) -> Principal:
    tokens: dict[str, Principal] = request.app.state.tokens
    principal = authenticate(tokens, request.headers.get("authorization"))
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def allowed(action: str) -> Callable[[Principal], Principal]:
    """A dependency: the principal, if its role may do `action` (a key of RIGHTS), else 403."""
    if action not in RIGHTS:
        raise KeyError(f"no right {action!r} in api.http.auth.RIGHTS")

    def check(principal: PrincipalDep) -> Principal:
        principal.require(action)
        return principal

    check.__name__ = "may_" + re.sub(r"\W+", "_", action)
    return check


MayRegisterGroup = Annotated[Principal, Depends(allowed("register a business group"))]
MayUpdateHeadcount = Annotated[Principal, Depends(allowed("update a group's headcount"))]
MaySetAllowance = Annotated[Principal, Depends(allowed("set a group's training allowance"))]
MaySetCapabilityLimit = Annotated[
    Principal, Depends(allowed("set a group's operational capability limit"))
]
MayAssignBoardChair = Annotated[Principal, Depends(allowed("assign a board chair"))]
MayIdentifyNeed = Annotated[Principal, Depends(allowed("identify a training need"))]
MayRecordAnalysis = Annotated[Principal, Depends(allowed("record a performance needs analysis"))]
MayPrioritiseNeed = Annotated[Principal, Depends(allowed("prioritise a training need"))]
MayEndorseNeed = Annotated[Principal, Depends(allowed("endorse a training need"))]
MayRejectNeed = Annotated[Principal, Depends(allowed("reject a training need"))]
MayWithdrawNeed = Annotated[Principal, Depends(allowed("withdraw a training need"))]
MayRecordDelivery = Annotated[Principal, Depends(allowed("record a delivery"))]
MayEvaluateNeed = Annotated[Principal, Depends(allowed("evaluate a training need"))]
MayRegisterFacility = Annotated[Principal, Depends(allowed("register a facility"))]
MayChangeFacility = Annotated[Principal, Depends(allowed("change a facility"))]
MaySubmitSchedule = Annotated[Principal, Depends(allowed("submit a facility's schedule"))]
MayDecommissionFacility = Annotated[Principal, Depends(allowed("decommission a facility"))]
MayProposeCentre = Annotated[Principal, Depends(allowed("propose a delivery centre"))]
MayCostCentre = Annotated[Principal, Depends(allowed("cost a delivery centre"))]
MayApproveCentre = Annotated[Principal, Depends(allowed("approve a delivery centre"))]
MayRejectCentre = Annotated[Principal, Depends(allowed("reject a delivery centre"))]
MayManageTrainerPool = Annotated[Principal, Depends(allowed("manage a trainer pool"))]
MayRecordTrainerAbsence = Annotated[Principal, Depends(allowed("record a trainer absence"))]
MayOpenCycle = Annotated[Principal, Depends(allowed("open a planning cycle"))]
MayChangeBudget = Annotated[Principal, Depends(allowed("change a cycle's budget"))]
MaySetWeights = Annotated[Principal, Depends(allowed("set strategic weights"))]
MayRunOptimiser = Annotated[Principal, Depends(allowed("run the optimiser"))]
MayCancelRun = Annotated[Principal, Depends(allowed("cancel an optimisation run"))]
MayDraftProspectus = Annotated[Principal, Depends(allowed("draft the prospectus"))]
MayAmendSession = Annotated[Principal, Depends(allowed("amend a draft session"))]
MayPinSession = Annotated[Principal, Depends(allowed("pin a draft session"))]
MayPublishProspectus = Annotated[Principal, Depends(allowed("publish the prospectus"))]
MayCloseCycle = Annotated[Principal, Depends(allowed("close a planning cycle"))]

# --- optimistic concurrency -------------------------------------------------------------------

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,18})"\s*$')


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='The ETag of the version you read, e.g. `"3"`. Required. A stale one '
            "is refused with 412 and the current ETag; `*` writes over any version.",
            examples=['"3"'],
        ),
    ] = None,
) -> int | None:
    if if_match is None:
        raise ApiProblem(
            428,
            "if-match-required",
            "If-Match required",
            'send If-Match with the ETag you read (e.g. If-Match: "3")',
        )
    if if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match)
    if match is None:
        rule = 'must be an ETag of this API, e.g. "3"'
        raise ApiProblem(
            422,
            "invalid-value",
            "A value breaks a rule",
            f"If-Match: {rule}",
            field="header.If-Match",
            rule=rule,
            errors=[{"field": "header.If-Match", "rule": rule}],
        )
    return int(match.group(1))


ExpectedVersionDep = Annotated[int | None, Depends(expected_version)]


def etag(version: int) -> str:
    return f'"{version}"'
