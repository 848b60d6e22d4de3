"""Every error, in one place, as `application/problem+json` (RFC 9457).

| status | when |
| --- | --- |
| 400 | a body that cannot even be decoded (e.g. not UTF-8): FastAPI's own answer |
| 401 | no bearer token, or one that is not known |
| 403 | the principal's role does not allow the action, or the business group concerned is not
|     | theirs (the application's OutsideScope) |
| 404 | no resource with that id (or no such route) |
| 409 | a rule of the domain refuses the command (a lifecycle step out of order, a natural key
|     | already taken); a write that lost a race on *another* aggregate than the one named by
|     | If-Match (e.g. a facility while publishing); an Idempotency-Key still in progress |
| 412 | If-Match names a version of the resource that is no longer the stored one (stale read) |
| 422 | a value breaks a rule: the body names the `field` and the `rule` (request validation and
|     | the domain's InvalidValue alike); an Idempotency-Key reused with another request |
| 428 | a write to an existing resource came without If-Match |
| 500 | never with a stack trace: a generic problem, the details go to the server log |

Routes raise domain errors or `ApiProblem`; nothing here is caught in a route."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.files.schedule import ScheduleRefused
from domain import (
    DomainError,
    DuplicateKey,
    InvalidValue,
    NotFound,
    OutsideScope,
    TransitionRefused,
    VersionConflict,
)

log = logging.getLogger("trainplan.api")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://trainplan.example/problems/"


class FieldError(BaseModel):
    field: str = Field(description="Where the value is: `body.capacity`, `query.limit`, ...")
    rule: str = Field(description="The rule the value breaks")
    row: int | None = Field(
        default=None, description="A spreadsheet's row (1 is the header), for an uploaded sheet"
    )
    column: str | None = Field(default=None, description="A spreadsheet's column")
    value: str | None = Field(default=None, description="The value found there")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(examples=[TYPE_BASE + "invalid-value"])
    title: str = Field(examples=["A value breaks a rule"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["capacity: must be at least 1"])
    instance: str | None = Field(default=None, examples=["/api/v1/facilities"])
    field: str | None = Field(default=None, description="The field at fault (422)")
    rule: str | None = Field(default=None, description="The rule it breaks (422)")
    errors: list[FieldError] | None = Field(
        default=None, description="Every field at fault, when there are several (422)"
    )
    current_version: int | None = Field(
        default=None, description="The stored version, when a precondition failed (412)"
    )


class ApiProblem(Exception):
    """An error of the HTTP edge itself (auth, preconditions, idempotency)."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(
        401, "unauthorized", "Not authenticated", detail, {"WWW-Authenticate": "Bearer"}
    )


def forbidden(detail: str) -> ApiProblem:
    return ApiProblem(403, "forbidden", "Not allowed for this principal", detail)


def problem_response(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _conflict_is_on_if_match_target(request: Request, error: VersionConflict) -> bool:
    if "if-match" not in request.headers:
        return False
    return str(error.key) in {str(value) for value in request.path_params.values()}


async def on_domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if isinstance(error, ScheduleRefused):
        return problem_response(
            request,
            422,
            "invalid-value",
            "A value breaks a rule",
            "; ".join(str(e) for e in error.errors),
            field=error.field,
            rule=error.rule,
            errors=[e.as_dict() for e in error.errors],
        )
    if isinstance(error, InvalidValue):
        return problem_response(
            request,
            422,
            "invalid-value",
            "A value breaks a rule",
            error.message,
            field=error.field,
            rule=error.rule,
            errors=[{"field": error.field, "rule": error.rule}],
        )
    if isinstance(error, NotFound):
        return problem_response(request, 404, "not-found", "Not found", error.message)
    if isinstance(error, OutsideScope):
        refusal = forbidden(_outside_scope(request, error))
        return problem_response(
            request, refusal.status, refusal.slug, refusal.title, refusal.detail
        )
    if isinstance(error, VersionConflict):
        if _conflict_is_on_if_match_target(request, error):
            return problem_response(
                request,
                412,
                "stale-version",
                "The resource has changed since it was read",
                error.message,
                {"ETag": f'"{error.actual}"'} if error.actual else None,
                current_version=error.actual,
            )
        return problem_response(
            request,
            409,
            "version-conflict",
            "Another write got there first; retry",
            error.message,
            current_version=error.actual,
        )
    if isinstance(error, DuplicateKey):
        return problem_response(request, 409, "duplicate-key", "Already registered", error.message)
    if isinstance(error, TransitionRefused):
        return problem_response(
            request, 409, "transition-refused", "Refused by a rule of the domain", error.message
        )
    return problem_response(
        request, 409, "domain-rule", "Refused by a rule of the domain", error.message
    )


def _outside_scope(request: Request, error: OutsideScope) -> str:
    """The refusal in the edge's words: who the principal is, and for which group."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return error.message
    return (
        f"{principal.name} ({principal.role.value} for group {principal.group}) may not "
        f"{error.action} for another business group"
    )


async def on_api_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiProblem)
    return problem_response(
        request, error.status, error.slug, error.title, error.detail, error.headers, **error.extra
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in loc]
    name = parts[0] if parts else "body"
    for part in parts[1:]:
        name += f"[{part}]" if part.isdigit() else f".{part}"
    return name


CYCLE_ID_HINT = (
    "; a cycle's id is a UUID: GET /api/v1/planning-cycles?name=2003/04 gives it, and the "
    "lists take the name itself (?cycle=2003/04)"
)
HINTS = {"path.cycle_id": CYCLE_ID_HINT, "query.cycle_id": CYCLE_ID_HINT}
"""What a person needs to know to put a rejected value right, by field."""


async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"field": field, "rule": str(item.get("msg", "invalid")) + HINTS.get(field, "")}
        for item in error.errors()
        for field in [_field_name(item.get("loc", ()))]
    ] or [{"field": "body", "rule": "invalid request"}]
    first = errors[0]
    return problem_response(
        request,
        422,
        "invalid-value",
        "A value breaks a rule",
        "; ".join(f"{e['field']}: {e['rule']}" for e in errors),
        field=first["field"],
        rule=first["rule"],
        errors=errors,
    )


async def on_http_exception(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    title = {404: "Not found", 405: "Method not allowed"}.get(error.status_code, "HTTP error")
    return problem_response(
        request,
        error.status_code,
        slug,
        title,
        str(error.detail),
        dict(error.headers) if error.headers else None,
    )


async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(
        request,
        500,
        "internal",
        "Internal error",
        "The server could not complete the request; the details are in its log.",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(ApiProblem, on_api_problem)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(Exception, on_unexpected)


DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or unknown bearer token",
    403: "The principal may not do this",
    404: "No resource with that id",
    409: "Refused by a domain rule, a natural key taken, or a race lost on another aggregate",
    412: "If-Match names a stale version; the body gives the current one",
    422: "A value breaks a rule; `field` and `rule` name it",
    428: "If-Match is required for a write to an existing resource",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the given error statuses, as problem+json."""
    return {
        status: {
            "description": DESCRIPTIONS[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


READ = problems(401, 404, 422)
CREATE = problems(401, 403, 404, 409, 422)
CHANGE = problems(401, 403, 404, 409, 412, 422, 428)
