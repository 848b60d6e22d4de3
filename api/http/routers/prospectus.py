"""The prospectus of every cycle, or of one: JSON pages, or a file of every matching session
(CSV, iCalendar, Excel) in people's words, grouped by course, each session numbered within its
course ("OT232 Officer safety training, session 38 of 102")."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.files import exports
from api.files.prospectus import edition, every_row
from api.http.deps import ProjectionsDep, get_principal
from api.http.files import AS_FILES, ProspectusFormat, Wanted, file_response
from api.http.paging import CycleName, Limit, Offset, cycle_named, must_exist, read_page
from api.http.routers.read_models import (
    LIST,
    ONE,
    CourseCode,
    CycleId,
    Edition,
    From,
    SessionId,
    To,
    VenueKind,
)
from api.http.schemas.read_models import ProspectusPage
from projections import Projections

router = APIRouter(prefix="/api/v1", tags=["read models"], dependencies=[Depends(get_principal)])

VenueId = Annotated[UUID | None, Query(description="A facility or delivery centre")]


@router.get(
    "/prospectus",
    response_model=ProspectusPage,
    responses=LIST | AS_FILES,
    summary="Prospectus sessions of every cycle",
)
def prospectus_sessions(
    projections: ProjectionsDep,
    wanted: ProspectusFormat,
    cycle_id: CycleId = None,
    cycle: CycleName = None,
    edition: Annotated[
        Edition | None, Query(description="draft or published; both if left out")
    ] = None,
    course_code: CourseCode = None,
    venue_id: VenueId = None,
    venue_kind: Annotated[VenueKind | None, Query(description="facility or centre")] = None,
    session_id: SessionId = None,
    from_: From = None,
    to: To = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ProspectusPage | Response:
    """Sessions of the draft and published prospectuses: course, groups served, venue, dates,
    places and cost, by cycle, edition and date; or a file of them (`format=csv|ics|xlsx`).
    A cycle is named by `cycle=2003/04` or `cycle_id`."""
    filters = {
        "cycle_id": cycle_named(projections, cycle, cycle_id),
        "edition": edition,
        "course_code": course_code,
        "venue_id": venue_id,
        "venue_kind": venue_kind,
        "session_id": session_id,
    }
    ranges = {"from": from_, "to": to}
    if wanted.file:
        return prospectus_file(projections, filters, ranges, wanted, offset, limit)
    return read_page(
        projections,
        "prospectus",
        ProspectusPage,
        filters=filters,
        ranges=ranges,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/cycles/{cycle_id}/prospectus",
    response_model=ProspectusPage,
    responses=ONE | AS_FILES,
    summary="A cycle's prospectus",
)
def cycle_prospectus(
    cycle_id: UUID,
    projections: ProjectionsDep,
    wanted: ProspectusFormat,
    edition: Annotated[
        Edition | None,
        Query(description="draft or published; both if left out", examples=["published"]),
    ] = None,
    course_code: CourseCode = None,
    venue_id: VenueId = None,
    from_: From = None,
    to: To = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ProspectusPage | Response:
    """The cycle's draft and/or published prospectus, session by session, by date; or a file
    of it (`format=csv|ics|xlsx`, or `Accept: text/csv`, `text/calendar`, the XLSX type)."""
    must_exist(projections, "cycles", "cycle_id", cycle_id, "planning cycle")
    filters = {
        "cycle_id": cycle_id,
        "edition": edition,
        "course_code": course_code,
        "venue_id": venue_id,
    }
    ranges = {"from": from_, "to": to}
    if wanted.file:
        return prospectus_file(projections, filters, ranges, wanted, offset, limit)
    return read_page(
        projections,
        "prospectus",
        ProspectusPage,
        filters=filters,
        ranges=ranges,
        limit=limit,
        offset=offset,
    )


def prospectus_file(
    projections: Projections,
    filters: dict[str, Any],
    ranges: dict[str, Any],
    wanted: Wanted,
    offset: int,
    limit: int,
) -> Response:
    """The matching sessions as a file: grouped by cycle, edition and course, each numbered
    within its course in its edition (counting every session of the edition)."""
    every = limit if wanted.limit_given else None
    rows = every_row(projections, "prospectus", filters, ranges, offset=offset, limit=every)
    numbers: dict[tuple[str, str, str], dict[str, Any]] = {}
    for cycle_id, which in sorted({(r["cycle_id"], r["edition"]) for r in rows}):
        for row in edition(projections, cycle_id, which):
            numbers[(cycle_id, which, row["session_id"])] = row
    ordered = sorted(
        (numbers.get((r["cycle_id"], r["edition"], r["session_id"]), r) for r in rows),
        key=lambda r: (
            r["cycle_id"],
            r["edition"],
            r["course_code"],
            r["starts_on"],
            r["session_id"],
        ),
    )
    names = {r["cycle_id"]: r["name"] for r in every_row(projections, "cycles")}
    cycles = sorted({names.get(r["cycle_id"], r["cycle_id"]) for r in rows})
    cycle = cycles[0] if len(cycles) == 1 else "all cycles"
    stem = "prospectus-" + cycle.replace("/", "-").replace(" ", "-")
    if wanted.format == "ics":
        return file_response(exports.prospectus_ics(ordered, cycle), wanted, stem)
    if wanted.format == "xlsx":
        data = exports.prospectus_xlsx(ordered, f"Prospectus {cycle}")
        return file_response(data, wanted, stem)
    return file_response(exports.prospectus_csv(ordered), wanted, stem)
