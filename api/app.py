"""The FastAPI application: `create_app(settings)` builds it; `lifespan` builds the shared
resources (the planner, the read models, the planning service, the idempotency keys) when the
server starts and closes them when it stops. Nothing heavy happens at import time.

`uvicorn --factory api.app:create_app` (or `trainplan serve`) serves it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from api import problems
from api.auth import load_tokens
from api.deps import PrincipalDep, Resources, get_resources
from api.idempotency import IdempotencyMiddleware, IdempotencyStore, engine_for
from api.problems import PROBLEM_JSON, Problem
from api.settings import Settings, get_settings

log = logging.getLogger("trainplan.api")

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
poll it for progress; `DELETE` it to cancel.
"""

TAGS = [
    {"name": "business groups", "description": "Business groups and their training boards"},
    {"name": "training needs", "description": "The Systems Approach lifecycle of a need"},
    {"name": "facilities", "description": "Training venues and their schedules of usage"},
    {"name": "delivery centres", "description": "Proposed training delivery centres"},
    {"name": "planning cycles", "description": "The annual plan, optimisation runs, prospectus"},
    {"name": "read models", "description": "Queries over the projections, with paging"},
    {"name": "audit", "description": "The event history, trails, state as of a time, proof"},
    {"name": "service", "description": "Health and identity"},
]


def _open_projections(settings: Settings, planner: Any) -> Any:
    """The read models, if the projections package provides them (else reads answer 503)."""
    try:
        from projections import open_projections  # type: ignore[attr-defined]
    except ImportError:
        log.warning("projections.open_projections is not available: read models are off")
        return None
    return open_projections(settings.database_url)


def _open_planning(planner: Any, projections: Any, resources: Resources) -> Any:
    if projections is None:
        return None
    try:
        from planning.service import PlanningService
    except ImportError:
        log.warning("planning.service is not available: optimisation runs are off")
        return None
    source = projections.problem_source() if hasattr(projections, "problem_source") else projections
    return PlanningService(planner, source, max_workers=1, after_record=resources.catch_up)


def build_resources(settings: Settings) -> Resources:
    from api.bootstrap import starting

    with starting(settings):
        return _build_resources(settings)


def _build_resources(settings: Settings) -> Resources:
    from api.bootstrap import open_planner

    planner = open_planner(settings)
    resources = Resources(settings=settings, planner=planner, tokens=load_tokens(settings))
    resources.closers.append(planner.close)
    try:
        resources.idempotency = IdempotencyStore(engine_for(settings.database_url))
        resources.closers.append(resources.idempotency.close)
        resources.projections = _open_projections(settings, planner)
        if resources.projections is not None and hasattr(resources.projections, "close"):
            resources.closers.append(resources.projections.close)
        resources.catch_up()
        resources.planning = _open_planning(planner, resources.projections, resources)
        if resources.planning is not None:
            resources.closers.insert(0, resources.planning.shutdown)
            interrupted = resources.planning.recover()
            if interrupted:
                log.warning("marked runs cut off by a restart as interrupted: %s", interrupted)
    except BaseException:
        close_resources(resources)
        raise
    return resources


def close_resources(resources: Resources) -> None:
    for close in resources.closers:
        try:
            close()
        except Exception:
            log.exception("while closing %s", close)


class Health(BaseModel):
    status: str = "ok"


class WhoAmI(BaseModel):
    name: str
    role: str
    group: str | None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = build_resources(settings)
        app.state.resources = resources
        try:
            yield
        finally:
            close_resources(resources)

    app = FastAPI(
        title="trainplan",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    problems.install(app)
    app.add_middleware(
        IdempotencyMiddleware,
        store_getter=lambda scope: (
            getattr(scope["app"].state, "resources", None)
            and scope["app"].state.resources.idempotency
        ),
    )

    from api.routers import audit, centres, cycles, facilities, groups, needs, views

    for module in (groups, needs, facilities, centres, cycles, views, audit):
        app.include_router(module.router)

    @app.get("/health", tags=["service"])
    def health() -> Health:
        """Liveness, without authentication."""
        return Health()

    @app.get("/api/v1/whoami", tags=["service"], responses=problems.problems(401))
    def whoami(principal: PrincipalDep) -> WhoAmI:
        """The principal behind the bearer token (also the trivial endpoint of the benchmark)."""
        return WhoAmI(name=principal.name, role=principal.role.value, group=principal.group)

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    _ = get_resources  # the dependency routes use; re-exported for overrides
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, plus what it cannot infer: the Problem schema every error refers to,
    and the Idempotency-Key header on every POST."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in components["Problem"].pop("$defs", {}).items():
        components.setdefault(name, definition)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.get("responses", {})
            for code in ("422",):
                if code in responses:
                    responses[code]["content"] = {
                        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }
                    responses[code]["description"] = problems._DESCRIPTIONS[422]
            if "requestBody" in operation:
                # FastAPI answers 400 itself for a body it cannot decode (e.g. not UTF-8)
                responses.setdefault("400", problems.problems(400)[400])
            if method == "post":
                operation.setdefault("parameters", []).append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "Makes a retry safe: the same key and request replay the "
                        "first answer; the same key with another request is refused (422).",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                    }
                )
                responses.setdefault(
                    "409",
                    {
                        "description": problems._DESCRIPTIONS[409],
                        "content": {
                            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                        },
                    },
                )
            if path.startswith("/api/") and "401" not in responses:
                responses["401"] = {
                    "description": problems._DESCRIPTIONS[401],
                    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
    app.openapi_schema = schema
    return schema
