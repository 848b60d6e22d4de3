"""The dependencies routes declare, once, as `Annotated` aliases. Tests swap them with
`app.dependency_overrides`."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Principal, authenticate
from api.problems import ApiProblem
from api.settings import Settings
from domain import TrainingPlanner

log = logging.getLogger("trainplan.api")

T = TypeVar("T")


@dataclass
class Resources:
    """What the app shares between requests; built in `lifespan` (see `api.app`)."""

    settings: Settings
    planner: TrainingPlanner
    tokens: dict[str, Principal]
    projections: Any = None
    planning: Any = None
    idempotency: Any = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def catch_up(self) -> None:
        """Brings the read models up to date with the store, so a read right after a write
        sees it. A failure here never undoes the write: it is logged, and the next call
        catches up."""
        if self.projections is None:
            return
        try:
            self.projections.catch_up()
        except Exception:
            log.exception("projections could not catch up; they will on the next write")
        try:
            self.seal()
        except Exception:
            log.exception("new events could not be sealed; they will be on the next write")

    def seal(self) -> None:
        """Extends the tamper-evidence chain over the new events (projections.integrity)."""
        from projections import integrity

        key = self.settings.seal_key.encode() if self.settings.seal_key else None
        integrity.seal(self.settings.database_url, key=key)


def get_resources(request: Request) -> Resources:
    return request.app.state.resources  # type: ignore[no-any-return]


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_planner(resources: ResourcesDep) -> TrainingPlanner:
    return resources.planner


PlannerDep = Annotated[TrainingPlanner, Depends(get_planner)]


def get_projections(resources: ResourcesDep) -> Any:
    if resources.projections is None:
        raise ApiProblem(
            503,
            "unavailable",
            "Read models unavailable",
            "the read models are not configured on this server",
        )
    return resources.projections


ProjectionsDep = Annotated[Any, Depends(get_projections)]


def get_planning(resources: ResourcesDep) -> Any:
    if resources.planning is None:
        raise ApiProblem(
            503,
            "unavailable",
            "Optimisation unavailable",
            "the planning service is not configured on this server",
        )
    return resources.planning


PlanningDep = Annotated[Any, Depends(get_planning)]

bearer = HTTPBearer(
    auto_error=False,
    description="A bearer token from the tokens file (`trainplan demo` prints demo tokens).",
)


def get_principal(
    resources: ResourcesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    request: Request,
) -> Principal:
    principal = authenticate(resources.tokens, request.headers.get("authorization"))
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def allowed(action: str) -> Callable[..., Principal]:
    """A dependency: the principal, if its role may do `action` (else 403)."""

    def check(principal: PrincipalDep) -> Principal:
        principal.require(action)
        return principal

    check.__name__ = "may_" + re.sub(r"\W+", "_", action)
    return check


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


class Commands:
    """Runs a command of the application, then lets the read models catch up."""

    def __init__(self, resources: Resources) -> None:
        self.resources = resources

    def __call__(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        result = command(*args, **kwargs)
        self.resources.catch_up()
        return result


def get_commands(resources: ResourcesDep) -> Commands:
    return Commands(resources)


CommandsDep = Annotated[Commands, Depends(get_commands)]


def may(action: str) -> Any:
    """`principal: may("endorse a training need")`: the principal, if its role may do that."""
    return Annotated[Principal, Depends(allowed(action))]
