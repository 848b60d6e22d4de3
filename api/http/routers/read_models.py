"""Queries over the read models (projections), with filtering and paging.

Each list is named after its read model (`/needs-register`, `/facility-calendar`, ...) and
answers a page: `{items, total, limit, offset}`, `total` counting every row that matches the
filters. Filters are exact matches; `from` and `to` bound dates. The per-resource reads under
`/cycles/{cycle_id}/...` and `/facilities/{facility_id}/...` answer 404 for an id the read models
do not know.

The read models follow the store: a read made after a command over this API sees it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.files.exports import rows_csv
from api.files.names import group_codes, with_group_codes
from api.files.prospectus import calendar_words
from api.http.deps import ProjectionsDep, get_principal
from api.http.files import AS_CSV, ListFormat, file_response
from api.http.paging import (
    CycleName,
    Limit,
    Offset,
    columns_of,
    cycle_named,
    invalid,
    must_exist,
    read_list,
)
from api.http.problems import problems
from api.http.schemas.common import PlainText
from api.http.schemas.names import (
    CentreStatusName,
    CycleStatusName,
    LevelName,
    NeedStatusName,
)
from api.http.schemas.read_models import (
    CalendarEntryRow,
    CalendarPage,
    CentresPage,
    CostsPage,
    CyclesPage,
    FacilitiesPage,
    GroupTimePage,
    NeedsPage,
    RunsPage,
    UtilisationPage,
)
from projections.queries import facility_calendar

router = APIRouter(prefix="/api/v1", tags=["read models"], dependencies=[Depends(get_principal)])

LIST = problems(401, 422)
ONE = problems(401, 404, 422)

# --- parameters, declared once ----------------------------------------------------------------

From = Annotated[
    date | None,
    Query(alias="from", description="Only what ends on or after this day", examples=["2003-04-01"]),
]
To = Annotated[
    date | None,
    Query(description="Only what starts on or before this day", examples=["2004-03-31"]),
]
WeekFrom = Annotated[
    date | None,
    Query(alias="from", description="From the week of this day", examples=["2003-04-01"]),
]
WeekTo = Annotated[
    date | None, Query(description="Up to the week of this day", examples=["2004-03-31"])
]
GroupId = Annotated[UUID | None, Query(description="A business group's id")]
GroupCode = Annotated[
    PlainText | None, Query(max_length=12, description="A group's code", examples=["TP"])
]
CourseCode = Annotated[
    PlainText | None, Query(min_length=1, max_length=20, description="A course", examples=["GP05"])
]
CycleId = Annotated[UUID | None, Query(description="A planning cycle's id")]
FacilityId = Annotated[UUID | None, Query(description="A facility's id")]
SessionId = Annotated[
    PlainText | None, Query(min_length=1, max_length=80, description="A session of a prospectus")
]
Site = Annotated[
    PlainText | None, Query(min_length=1, max_length=200, description="A site", examples=["Hendon"])
]
RunState = Literal["running", "recorded", "interrupted"]
SolverStatus = Annotated[
    PlainText | None,
    Query(min_length=1, max_length=20, description="The solver's status", examples=["OPTIMAL"]),
]
Edition = Literal["draft", "published"]
VenueKind = Literal["facility", "centre", "online"]


def monday(day: date | None) -> date | None:
    return None if day is None else day - timedelta(days=day.weekday())


# --- the lists --------------------------------------------------------------------------------


@router.get(
    "/needs-register",
    response_model=NeedsPage,
    responses=LIST | AS_CSV,
    summary="The needs register",
)
def needs_register(
    projections: ProjectionsDep,
    wanted: ListFormat,
    group_id: GroupId = None,
    group_code: GroupCode = None,
    status: Annotated[
        NeedStatusName | None,
        Query(description="Where the need is in the Systems Approach", examples=["endorsed"]),
    ] = None,
    level: Annotated[
        LevelName | None,
        Query(description="Its priority level", examples=["Mandated"]),
    ] = None,
    course_code: CourseCode = None,
    need_id: Annotated[UUID | None, Query(description="One need")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> NeedsPage | Response:
    """Every training need with its group, status, priority, analysis and the latest decision
    (who and why), oldest first."""
    filters = {
        "need_id": need_id,
        "group_id": group_id,
        "group_code": group_code,
        "status": status,
        "level": level,
        "course_code": course_code,
    }
    return read_list(
        projections,
        "needs",
        NeedsPage,
        filters=filters,
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="needs-register",
    )


@router.get(
    "/facility-register",
    response_model=FacilitiesPage,
    responses=LIST | AS_CSV,
    summary="Every venue",
)
def facility_register(
    projections: ProjectionsDep,
    wanted: ListFormat,
    facility_id: FacilityId = None,
    site: Site = None,
    status: Annotated[
        Literal["in service", "decommissioned"] | None,
        Query(description="In service or decommissioned", examples=["in service"]),
    ] = None,
    owning_group_id: Annotated[UUID | None, Query(description="The owning group's id")] = None,
    owning_group_code: Annotated[
        PlainText | None,
        Query(max_length=12, description="The owning group's code", examples=["TP"]),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> FacilitiesPage | Response:
    """Every venue with its rooms, seats, features, day rate, status and how much of its
    schedule is booked, by site and name; the owning group by its id and its code (none for a
    central venue)."""
    codes = group_codes(projections)
    if owning_group_code is not None:
        ids = [i for i, code in codes.items() if code.lower() == owning_group_code.lower()]
        if not ids:
            raise invalid("query.owning_group_code", "no business group has this code")
        if owning_group_id is not None and str(owning_group_id) != ids[0]:
            raise invalid("query.owning_group_code", "names another group than owning_group_id")
        owning_group_id = UUID(ids[0])
    filters = {
        "id": facility_id,
        "site": site,
        "status": status,
        "owning_group_id": owning_group_id,
    }
    return read_list(
        projections,
        "facilities",
        FacilitiesPage,
        filters=filters,
        limit=limit,
        offset=offset,
        params={"id": "facility_id"},
        wanted=wanted,
        filename="facility-register",
        words=lambda rows: with_group_codes(rows, codes),
    )


@router.get(
    "/facility-calendar",
    response_model=CalendarPage,
    responses=LIST | AS_CSV,
    summary="Venues' calendars",
)
def facility_calendar_entries(
    projections: ProjectionsDep,
    wanted: ListFormat,
    facility_id: FacilityId = None,
    kind: Annotated[
        Literal["booking", "closure", "session"] | None,
        Query(description="What the entry is", examples=["session"]),
    ] = None,
    status: Annotated[
        Literal["submitted", "confirmed", "tentative"] | None,
        Query(
            description="submitted (schedule of usage), confirmed (published prospectus), "
            "tentative (draft prospectus: only with `tentative=true`)"
        ),
    ] = None,
    cycle_id: CycleId = None,
    cycle: CycleName = None,
    session_id: SessionId = None,
    from_: From = None,
    to: To = None,
    tentative: Annotated[
        bool,
        Query(
            description="Also show the tentative sessions of draft prospectuses (needs "
            "`facility_id`)"
        ),
    ] = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CalendarPage | Response:
    """Bookings, closures and confirmed sessions by facility and date; with `tentative=true`
    and a `facility_id`, also the sessions its draft prospectuses would put there."""
    cycle_id = cycle_named(projections, cycle, cycle_id)
    if not tentative:
        filters = {
            "facility_id": facility_id,
            "kind": kind,
            "status": status,
            "cycle_id": cycle_id,
            "session_id": session_id,
        }
        return read_list(
            projections,
            "facility_calendar",
            CalendarPage,
            filters=filters,
            ranges={"from": from_, "to": to},
            limit=limit,
            offset=offset,
            wanted=wanted,
            filename="facility-calendar",
            words=lambda rows: calendar_words(projections, rows),
        )
    if facility_id is None:
        raise invalid("query.facility_id", "is required with tentative=true")
    asked = {
        "kind": kind,
        "status": status,
        "session_id": session_id,
        "cycle_id": None if cycle_id is None else str(cycle_id),
    }
    entries = [
        entry
        for entry in facility_calendar(projections, str(facility_id), from_, to)
        if all(value is None or entry.get(key) == value for key, value in asked.items())
    ]
    if wanted.file:
        chosen = entries[offset : offset + limit] if wanted.limit_given else entries[offset:]
        rows = calendar_words(projections, chosen)
        return file_response(rows_csv(rows, columns_of(CalendarPage)), wanted, "facility-calendar")
    return CalendarPage(
        items=[
            CalendarEntryRow.model_validate(e)
            for e in calendar_words(projections, entries[offset : offset + limit])
        ],
        total=len(entries),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/facility-utilisation",
    response_model=UtilisationPage,
    responses=LIST | AS_CSV,
    summary="Venues' use by week",
)
def facility_utilisation(
    projections: ProjectionsDep,
    wanted: ListFormat,
    facility_id: FacilityId = None,
    from_: WeekFrom = None,
    to: WeekTo = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> UtilisationPage | Response:
    """Room-hours available, closed, booked and taken by sessions, per facility and week (its
    Monday), with utilisation = used / available. Weeks with no entry are not listed."""
    return read_list(
        projections,
        "utilisation",
        UtilisationPage,
        filters={"facility_id": facility_id},
        ranges={"from": monday(from_), "to": to},
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="facility-utilisation",
    )


@router.get(
    "/group-training-time",
    response_model=GroupTimePage,
    responses=LIST | AS_CSV,
    summary="Training time per head",
)
def group_training_time(
    projections: ProjectionsDep,
    wanted: ListFormat,
    group_id: GroupId = None,
    code: GroupCode = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> GroupTimePage | Response:
    """Per business group: headcount, the board's allowance per head, and the learner-hours
    demanded, endorsed, scheduled and delivered, in total and per head, by code."""
    return read_list(
        projections,
        "group_time",
        GroupTimePage,
        filters={"group_id": group_id, "code": code},
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="group-training-time",
    )


@router.get(
    "/centre-proposals",
    response_model=CentresPage,
    responses=LIST | AS_CSV,
    summary="Delivery centre proposals",
)
def centre_proposals(
    projections: ProjectionsDep,
    wanted: ListFormat,
    centre_id: Annotated[UUID | None, Query(description="One proposal")] = None,
    status: Annotated[
        CentreStatusName | None,
        Query(description="Where the proposal is", examples=["costed"]),
    ] = None,
    site: Site = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CentresPage | Response:
    """Proposed training delivery centres with their costs and the TMB's decision (who, why),
    by name."""
    return read_list(
        projections,
        "centres",
        CentresPage,
        filters={"id": centre_id, "status": status, "site": site},
        limit=limit,
        offset=offset,
        params={"id": "centre_id"},
        wanted=wanted,
        filename="centre-proposals",
    )


@router.get(
    "/planning-cycles",
    response_model=CyclesPage,
    responses=LIST | AS_CSV,
    summary="Planning cycles at a glance",
)
def planning_cycles(
    projections: ProjectionsDep,
    wanted: ListFormat,
    cycle_id: CycleId = None,
    name: Annotated[
        PlainText | None,
        Query(min_length=1, max_length=40, description="Its name", examples=["2003/04"]),
    ] = None,
    status: Annotated[
        CycleStatusName | None,
        Query(description="open, published or closed", examples=["open"]),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CyclesPage | Response:
    """Every planning cycle with its budget, runs, draft and published prospectus (sessions
    and cost), by start date."""
    return read_list(
        projections,
        "cycles",
        CyclesPage,
        filters={"cycle_id": cycle_id, "name": name, "status": status},
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="planning-cycles",
    )


@router.get(
    "/optimisation-runs",
    response_model=RunsPage,
    responses=LIST | AS_CSV,
    summary="Optimisation runs",
)
def optimisation_runs(
    projections: ProjectionsDep,
    wanted: ListFormat,
    cycle_id: CycleId = None,
    cycle: CycleName = None,
    run_id: Annotated[PlainText | None, Query(min_length=1, max_length=80)] = None,
    state: Annotated[
        RunState | None, Query(description="Where the run is", examples=["recorded"])
    ] = None,
    status: SolverStatus = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> RunsPage | Response:
    """Every optimisation run of every cycle with its outcome, by cycle and start."""
    cycle_id = cycle_named(projections, cycle, cycle_id)
    return read_list(
        projections,
        "runs",
        RunsPage,
        filters={"cycle_id": cycle_id, "run_id": run_id, "state": state, "status": status},
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="optimisation-runs",
    )


@router.get(
    "/cost-lines",
    response_model=CostsPage,
    responses=LIST | AS_CSV,
    summary="Plan and actual cost lines",
)
def cost_lines(
    projections: ProjectionsDep,
    wanted: ListFormat,
    cycle_id: CycleId = None,
    cycle: CycleName = None,
    course_code: CourseCode = None,
    group_id: GroupId = None,
    group_code: GroupCode = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CostsPage | Response:
    """Plan and actual cost per cycle, course and business group, the variance, and learner
    abstraction shown apart."""
    cycle_id = cycle_named(projections, cycle, cycle_id)
    filters = {
        "cycle_id": cycle_id,
        "course_code": course_code,
        "group_id": group_id,
        "group_code": group_code,
    }
    return read_list(
        projections,
        "costs",
        CostsPage,
        filters=filters,
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="cost-lines",
    )


# --- one cycle's, one facility's --------------------------------------------------------------


@router.get(
    "/cycles/{cycle_id}/costs",
    response_model=CostsPage,
    responses=ONE | AS_CSV,
    summary="A cycle's cost lines",
)
def cycle_costs(
    cycle_id: UUID,
    projections: ProjectionsDep,
    wanted: ListFormat,
    course_code: CourseCode = None,
    group_code: GroupCode = None,
    group_id: GroupId = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CostsPage | Response:
    """Plan (from the published prospectus) and actual (from deliveries) cost per course and
    business group, the variance, and learner abstraction shown apart."""
    must_exist(projections, "cycles", "cycle_id", cycle_id, "planning cycle")
    filters = {
        "cycle_id": cycle_id,
        "course_code": course_code,
        "group_code": group_code,
        "group_id": group_id,
    }
    return read_list(
        projections,
        "costs",
        CostsPage,
        filters=filters,
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="cycles-costs",
    )


@router.get(
    "/cycles/{cycle_id}/runs",
    response_model=RunsPage,
    responses=ONE | AS_CSV,
    summary="A cycle's optimisation runs",
)
def cycle_runs(
    cycle_id: UUID,
    projections: ProjectionsDep,
    wanted: ListFormat,
    state: Annotated[
        RunState | None, Query(description="Where the run is", examples=["recorded"])
    ] = None,
    status: SolverStatus = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> RunsPage | Response:
    """The cycle's optimisation runs in the order they started, with their outcome. A running
    run's live progress is at `/cycles/{cycle_id}/runs/{run_id}`."""
    must_exist(projections, "cycles", "cycle_id", cycle_id, "planning cycle")
    return read_list(
        projections,
        "runs",
        RunsPage,
        filters={"cycle_id": cycle_id, "state": state, "status": status},
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="cycles-runs",
    )


@router.get(
    "/facilities/{facility_id}/utilisation",
    response_model=UtilisationPage,
    responses=ONE | AS_CSV,
    summary="A venue's use by week",
)
def one_facility_utilisation(
    facility_id: UUID,
    projections: ProjectionsDep,
    wanted: ListFormat,
    from_: WeekFrom = None,
    to: WeekTo = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> UtilisationPage | Response:
    """The venue's room-hours per week (its Monday): available, closed, booked, taken by
    confirmed sessions, and utilisation = used / available."""
    must_exist(projections, "facilities", "id", facility_id, "facility")
    return read_list(
        projections,
        "utilisation",
        UtilisationPage,
        filters={"facility_id": facility_id},
        ranges={"from": monday(from_), "to": to},
        limit=limit,
        offset=offset,
        wanted=wanted,
        filename="facilities-utilisation",
    )
