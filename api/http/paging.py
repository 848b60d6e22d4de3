"""Reading the read models a page at a time: the paging parameters, one page of a read model as
its response model, the 422 for a query value the read models refuse, and the 404 for an id they
do not know. Used by the read-model and audit routers."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Query

from api.http.problems import ApiProblem
from api.http.schemas.common import Page
from domain import NotFound
from projections import Projections, QueryError
from projections.queries import MAX_LIMIT

P = TypeVar("P", bound=Page[Any])

Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page, 1 to {MAX_LIMIT}", examples=[100])
]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip", examples=[0])]


def invalid(field: str, rule: str) -> ApiProblem:
    """The house 422 for a query value the read models refuse: `field` is the parameter
    (`query.limit`), as request validation names it."""
    return ApiProblem(
        422,
        "invalid-value",
        "A value breaks a rule",
        f"{field}: {rule}",
        field=field,
        rule=rule,
        errors=[{"field": field, "rule": rule}],
    )


def read_page(
    projections: Projections,
    name: str,
    page: type[P],
    *,
    limit: int,
    offset: int,
    filters: dict[str, Any] | None = None,
    ranges: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
) -> P:
    """One page of the read model `name`, as the response model `page`. A QueryError becomes
    a 422 naming the query parameter (`params` maps a read model's column to its parameter's
    name)."""
    try:
        rows, total = projections.query(
            name, filters=filters, ranges=ranges, limit=limit, offset=offset
        )
    except QueryError as error:
        param = (params or {}).get(error.field, error.field)
        raise invalid(f"query.{param}", error.rule) from None
    return page.model_validate({"items": rows, "total": total, "limit": limit, "offset": offset})


def must_exist(projections: Projections, name: str, column: str, key: UUID, kind: str) -> None:
    """404 (the domain's NotFound) if the read model `name` has no row with `column` = key."""
    _, total = projections.query(name, filters={column: str(key)}, limit=1)
    if not total:
        raise NotFound(kind, key)
