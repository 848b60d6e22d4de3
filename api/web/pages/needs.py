"""The needs register with its filters, and a need's page: its analysis and decisions now, and
its story as a timeline from its events (who did what, when, and why)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.files.prospectus import every_row
from api.web.common import (
    PageRefused,
    ProjectionsDep,
    UserDep,
    id_names,
    readable,
    render,
    words,
)
from api.web.pages.home import STAGES
from planning.model import LEVELS
from projections import Projections

router = APIRouter(include_in_schema=False)

PAGE = 100
Text = Annotated[str | None, Query(max_length=40)]


@router.get("/needs", response_class=HTMLResponse)
def register(
    request: Request,
    user: UserDep,
    projections: ProjectionsDep,
    group: Text = None,
    stage: Text = None,
    priority: Text = None,
    course: Text = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    filters = {"group_code": group or None, "status": stage or None,
               "level": priority or None, "course_code": course or None}  # fmt: skip
    rows, total = projections.query("needs", filters=filters, limit=PAGE, offset=(page - 1) * PAGE)
    every = every_row(projections, "needs")
    query = "&".join(f"{k}={quote(v)}" for k, v in request.query_params.items() if k != "page")
    return render(
        request, user, "needs.html", needs=rows, total=total, page=page,
        pages=max(1, -(-total // PAGE)), query=query,
        chosen={"group": group or "", "stage": stage or "", "priority": priority or "",
                "course": course or ""},
        groups=sorted({r["group_code"] for r in every if r["group_code"]}),
        stages=STAGES, levels=LEVELS,
        courses=sorted({r["course_code"] for r in every if r["course_code"]}),
    )  # fmt: skip


def story(projections: Projections, entity_id: str) -> list[dict[str, Any]]:
    """An entity's events in order, in words: what happened, who, when, why, the details."""
    names = id_names(projections)
    return [
        {**event, "what": words(event["event_type"]),
         "details": readable(event["summary"], names)}
        for event in every_row(projections, "audit", {"entity_id": entity_id})
    ]  # fmt: skip


@router.get("/needs/{need_id}", response_class=HTMLResponse)
def need_page(
    request: Request, need_id: UUID, user: UserDep, projections: ProjectionsDep
) -> HTMLResponse:
    found = every_row(projections, "needs", {"need_id": str(need_id)})
    if not found:
        raise PageRefused(404, "No such need", "There is no training need with that address.")
    return render(
        request, user, "need.html", need=found[0], events=story(projections, str(need_id))
    )
