"""Reading the read models a page at a time: the paging parameters, one page of a read model as
its response model, the 422 for a query value the read models refuse, and the 404 for an id they
do not know. Used by the read-model and audit routers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_args
from uuid import UUID

from fastapi import Query, Response
from pydantic import BaseModel

from api.files.exports import rows_csv
from api.files.prospectus import every_row
from api.http.files import Wanted, file_response
from api.http.problems import ApiProblem
from api.http.schemas.common import Page, PlainText
from domain import NotFound
from projections import Projections, QueryError
from projections.queries import MAX_LIMIT

P = TypeVar("P", bound=Page[Any])
Words = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]

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
    words: Words | None = None,
) -> P:
    """One page of the read model `name`, as the response model `page`. `words` puts the rows
    in people's words (group codes, session labels). A QueryError becomes a 422 naming the
    query parameter (`params` maps a read model's column to its parameter's name)."""
    try:
        rows, total = projections.query(
            name, filters=filters, ranges=ranges, limit=limit, offset=offset
        )
    except QueryError as error:
        raise _named(error, params) from None
    rows = words(rows) if words else rows
    return page.model_validate({"items": rows, "total": total, "limit": limit, "offset": offset})


def read_list(
    projections: Projections,
    name: str,
    page: type[P],
    *,
    wanted: Wanted,
    filename: str,
    limit: int,
    offset: int,
    filters: dict[str, Any] | None = None,
    ranges: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
    words: Words | None = None,
) -> P | Response:
    """`read_page`, or when a file is `wanted` every matching row as CSV (api.http.files)."""
    if not wanted.file:
        return read_page(projections, name, page, limit=limit, offset=offset, filters=filters,
                         ranges=ranges, params=params, words=words)  # fmt: skip
    try:
        every = limit if wanted.limit_given else None
        rows = every_row(projections, name, filters, ranges, offset=offset, limit=every)
    except QueryError as error:
        raise _named(error, params) from None
    rows = words(rows) if words else rows
    return file_response(rows_csv(rows, columns_of(page)), wanted, filename)


def _named(error: QueryError, params: dict[str, str] | None) -> ApiProblem:
    param = (params or {}).get(error.field, error.field)
    return invalid(f"query.{param}", error.rule)


def columns_of(page: type[Page[Any]]) -> list[str] | None:
    """The columns of a page's rows, in the order its row model declares them."""
    (item,) = get_args(page.model_fields["items"].annotation) or (None,)
    if isinstance(item, type) and issubclass(item, BaseModel):
        return list(item.model_fields)
    return None


def must_exist(projections: Projections, name: str, column: str, key: UUID, kind: str) -> None:
    """404 (the domain's NotFound) if the read model `name` has no row with `column` = key."""
    _, total = projections.query(name, filters={column: str(key)}, limit=1)
    if not total:
        raise NotFound(kind, key)


CycleName = Annotated[
    PlainText | None,
    Query(
        alias="cycle",
        min_length=1,
        max_length=40,
        description="A planning cycle by its name, instead of cycle_id",
        examples=["2003/04"],
    ),
]


def cycle_named(projections: Projections, name: str | None, cycle_id: UUID | None) -> UUID | None:
    """The cycle a list is asked about: by its name (`?cycle=2003/04`) or its id; a 422 for a
    name no cycle has, or a name and an id of two different cycles."""
    if name is None:
        return cycle_id
    rows, _ = projections.query("cycles", filters={"name": name.strip()}, limit=1)
    if not rows:
        raise invalid(
            "query.cycle",
            f"no planning cycle is called {name!r}; GET /api/v1/planning-cycles lists them",
        )
    found = UUID(str(rows[0]["cycle_id"]))
    if cycle_id is not None and cycle_id != found:
        raise invalid("query.cycle", f"names cycle {found}, not cycle_id {cycle_id}: give one")
    return found
