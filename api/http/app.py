"""The FastAPI application: `create_app(settings)` builds it; its lifespan opens the stack
(`api.stack.open_stack`: the planner, the read models, the planning service, the idempotency
keys) and reads the bearer tokens when the server starts, and closes the stack when it stops.
Nothing heavy happens at import time.

`uvicorn --factory api.http.app:create_app` (or `trainplan serve`) serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from starlette.types import Scope

from api.http import problems
from api.http.auth import load_tokens
from api.http.deps import PrincipalDep
from api.http.idempotency import IdempotencyMiddleware, IdempotencyStore
from api.http.openapi import document
from api.http.read_your_writes import ReadYourWritesMiddleware
from api.http.routers import (
    audit,
    centres,
    cycles,
    facilities,
    groups,
    needs,
    prospectus,
    read_models,
    trainers,
)
from api.settings import Settings, get_settings
from api.stack import Stack, open_stack
from api.web import install as install_pages

DESCRIPTION = """
Training needs, facilities and the prospectus of a police force's training boards.

**Authentication.** Every call under `/api/v1` needs `Authorization: Bearer <token>`.
`trainplan demo` prints the demo tokens (e.g. `demo-lspu`, `demo-tmb`, `demo-auditor`).

**Concurrency.** A read answers the resource's version as its `ETag` (`"3"`). A write to an
existing resource must send it back in `If-Match`: without it, **428**; if the resource has
changed since, **412** with the current ETag (read again, then retry). A write that loses a race
on *another* resource it touches (e.g. a facility while publishing) answers **409**: retry.

**Retries.** Every POST accepts an `Idempotency-Key`: the same key and the same request replay
the first answer (`Idempotent-Replayed: true`) and record nothing new; the same key with another
request is refused with **422**; a retry while the first is still running gets **409**.

**Errors** are `application/problem+json`: **422** names the `field` and the `rule`, **404** an
unknown id, **409** a rule of the domain or a natural key already taken, **401/403** missing or
insufficient rights.

**Optimisation runs** are jobs: `POST /api/v1/cycles/{id}/runs` answers 202 with the run's URL;
poll it for progress (from any server); `DELETE` it to cancel; `POST .../retry` starts an
interrupted or failed one again.
"""

TAGS = [
    {"name": "business groups", "description": "Business groups and their training boards"},
    {"name": "training needs", "description": "The Systems Approach lifecycle of a need"},
    {"name": "facilities", "description": "Training venues and their schedules of usage"},
    {"name": "delivery centres", "description": "Proposed training delivery centres"},
    {"name": "trainer pools", "description": "Trainers by discipline, their leave and sickness"},
    {"name": "planning cycles", "description": "The annual plan, optimisation runs, prospectus"},
    {"name": "read models", "description": "Queries over the projections, with paging"},
    {"name": "audit", "description": "The event history, trails, state as of a time, proof"},
    {"name": "service", "description": "Health and identity"},
]


class QuarantinedEvent(BaseModel):
    view: str = Field(description="The read model that could not apply it", examples=["needs"])
    position: int = Field(description="The event's position in the history", examples=[42])
    event_type: str = Field(examples=["TrainingNeed.Identified"])
    since: str = Field(description="When it was quarantined (UTC)")
    attempts: int = Field(description="How often it was tried (retries included)")


class Health(BaseModel):
    status: str = Field(
        default="ok",
        description="ok, or degraded while a read model carries on past events it could not "
        "apply (quarantined: `trainplan projections status` gives the errors, `trainplan "
        "projections retry` applies them again)",
    )
    quarantined: int = Field(default=0, description="How many events are quarantined")
    quarantine: list[QuarantinedEvent] = Field(
        default_factory=list, description="The first 50 of them, by read model and position"
    )
    head: int | None = Field(default=None, description="The position of the store's last event")
    positions: dict[str, int] | None = Field(
        default=None, description="Each read model's position (the last event it applied)"
    )
    lag: int | None = Field(default=None, description="Events the slowest read model is behind")
    follower: str | None = Field(
        default=None,
        description="This process's projection follower: following, standing by (another "
        "process drives the read models), failing",
    )
    sealed: int | None = Field(default=None, description="The position of the last sealed event")


class WhoAmI(BaseModel):
    name: str
    role: str
    group: str | None


class TrainplanApi(FastAPI):
    """FastAPI, with the OpenAPI document completed by `api.http.openapi.document`."""

    def openapi(self) -> dict[str, Any]:
        return document(self)


def stack_of(scope: Scope) -> Stack | None:
    """The app's stack, once its lifespan has opened it."""
    stack: Stack | None = getattr(scope["app"].state, "stack", None)
    return stack


def idempotency_of(scope: Scope) -> IdempotencyStore | None:
    stack = stack_of(scope)
    return None if stack is None else stack.idempotency


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.tokens = load_tokens(settings)
        with open_stack(settings, follow=True) as stack:
            app.state.stack = stack
            yield

    app = TrainplanApi(
        title="trainplan",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served by api.web with local assets
        redoc_url=None,
    )
    problems.install(app)
    app.add_middleware(ReadYourWritesMiddleware, stack_getter=stack_of)
    app.add_middleware(IdempotencyMiddleware, store_getter=idempotency_of)
    for module in (groups, needs, facilities, centres, cycles, read_models, prospectus, audit,
                   trainers):  # fmt: skip
        app.include_router(module.router)
    install_pages(app)

    @app.get("/health", tags=["service"])
    def health(request: Request) -> Health:
        """Liveness, without authentication; how far the read models and the seals have come
        behind the store's last event (`lag`: events the slowest read model is behind); and the
        events the read models could not apply and carried on past (quarantined; the errors
        themselves are for the operator's `trainplan projections status`)."""
        stack = stack_of(request.scope)
        if stack is None:
            return Health()
        held = stack.projections.quarantined()
        return Health(
            **stack.health(),
            status="degraded" if held else "ok",
            quarantined=len(held),
            quarantine=[
                QuarantinedEvent(
                    view=entry.view,
                    position=entry.position,
                    event_type=entry.event_type,
                    since=entry.since,
                    attempts=entry.attempts,
                )
                for entry in held[:50]
            ],
        )

    @app.get("/api/v1/whoami", tags=["service"], responses=problems.problems(401))
    def whoami(principal: PrincipalDep) -> WhoAmI:
        """The principal behind the bearer token (also the trivial endpoint of the benchmark)."""
        return WhoAmI(name=principal.name, role=principal.role.value, group=principal.group)

    return app
