"""Facilities: every training venue, and its schedule of usage (JSON, or a spreadsheet upload:
CSV or XLSX, with a dry run)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Header, Query, Response, UploadFile, status

from api.files.prospectus import calendar_words, confirmed_session_words
from api.files.schedule import import_schedule
from api.files.spreadsheet import MAX_BYTES
from api.http.deps import (
    ExpectedVersionDep,
    MayChangeFacility,
    MayDecommissionFacility,
    MayRegisterFacility,
    MaySubmitSchedule,
    PlannerDep,
    ProjectionsDep,
    etag,
    expected_version,
    get_principal,
)
from api.http.problems import CHANGE, CREATE, READ
from api.http.routers import created, written
from api.http.schemas.common import Day, Written
from api.http.schemas.facilities import (
    CalendarEntry,
    Decommissioning,
    FacilityCalendar,
    FacilityChange,
    FacilityOut,
    FacilityRegistration,
    RunningCostSetting,
    ScheduleImported,
    ScheduleSubmission,
)
from domain import Facility

router = APIRouter(
    prefix="/api/v1/facilities", tags=["facilities"], dependencies=[Depends(get_principal)]
)


def facility_out(facility: Facility) -> FacilityOut:
    return FacilityOut(
        id=facility.id,
        version=facility.version,
        name=facility.name,
        site=facility.site,
        owning_group_id=facility.owning_group_id,
        capacity=facility.capacity,
        rooms=facility.rooms,
        features=facility.features,
        cost_per_day=facility.cost_per_day,
        opened_on=facility.opened_on,
        decommissioned_on=facility.decommissioned_on,
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=CREATE)
def register_facility(
    body: FacilityRegistration,
    principal: MayRegisterFacility,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """LSPU registers a venue. Its name is unique at its site."""
    facility_id = planner.register_facility(
        name=body.name,
        site=body.site,
        owning_group_id=body.owning_group_id,
        capacity=body.capacity,
        rooms=body.rooms,
        features=body.features,
        cost_per_day=body.cost_per_day,
        opened_on=body.opened_on,
        actor=principal.name,
        effective_on=body.effective_on,
    )
    return created(response, f"/api/v1/facilities/{facility_id}", facility_id)


@router.get("/{facility_id}", responses=READ)
def get_facility(facility_id: UUID, planner: PlannerDep, response: Response) -> FacilityOut:
    facility = planner.load(Facility, facility_id)
    response.headers["ETag"] = etag(facility.version)
    return facility_out(facility)


@router.get("/{facility_id}/calendar", responses=READ)
def facility_calendar(
    facility_id: UUID,
    planner: PlannerDep,
    projections: ProjectionsDep,
    response: Response,
    from_: Annotated[Day | None, Query(alias="from", description="First day shown")] = None,
    to: Annotated[Day | None, Query(description="Last day shown")] = None,
) -> FacilityCalendar:
    """The venue's calendar: its submitted usage (bookings, closures) and the confirmed
    sessions of published prospectuses (named like "OT232 Officer safety training, session 38
    of 102"), by date."""
    facility = planner.load(Facility, facility_id)
    confirmed = [{**s, "kind": "session", "status": "confirmed"} for s in facility.sessions]
    entries = [
        CalendarEntry(
            starts_on=e["starts_on"],
            ends_on=e["ends_on"],
            kind=e["kind"],
            purpose=e["purpose"],
            rooms=e["rooms"],
        )
        for e in facility.usage
    ] + [
        CalendarEntry(
            starts_on=s["starts_on"],
            ends_on=s["ends_on"],
            kind="session",
            purpose=s["purpose"],
            rooms=s["rooms"],
            session_id=s["session_id"],
            cycle_id=s.get("cycle_id"),
        )
        for s in calendar_words(projections, confirmed)
    ]
    entries = [
        e
        for e in entries
        if (from_ is None or e.ends_on >= from_) and (to is None or e.starts_on <= to)
    ]
    entries.sort(key=lambda e: (e.starts_on, e.ends_on, e.kind))
    response.headers["ETag"] = etag(facility.version)
    return FacilityCalendar(
        facility_id=facility.id, version=facility.version, rooms=facility.rooms, entries=entries
    )


@router.post("/{facility_id}/details", responses=CHANGE)
def change_facility(
    facility_id: UUID,
    body: FacilityChange,
    principal: MayChangeFacility,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """Changes capacity, rooms, features or cost; fields left out stay as they are."""
    version = planner.change_facility(
        facility_id,
        capacity=body.capacity,
        rooms=body.rooms,
        features=body.features,
        cost_per_day=body.cost_per_day,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, facility_id, version)


@router.post("/{facility_id}/schedule", responses=CHANGE)
def submit_schedule(
    facility_id: UUID,
    body: ScheduleSubmission,
    principal: MaySubmitSchedule,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The venue's existing usage for a period, as JSON. It replaces what an earlier submission
    said about that period. Planners submit only their own group's facilities."""
    version = planner.submit_schedule(
        facility_id,
        period_start=body.period_start,
        period_end=body.period_end,
        entries=[entry.model_dump() for entry in body.entries],
        actor=principal.name,
        expected_version=expected,
        acting_for=principal.acting_for,
        effective_on=body.effective_on,
    )
    return written(response, facility_id, version)


SPREADSHEET_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                # a CSV or an XLSX sheet: its bytes as they are
                "encoding": {"file": {"contentType": "application/octet-stream"}}
            }
        }
    }
}


@router.post(
    "/{facility_id}/schedule/spreadsheet",
    responses=CHANGE,
    openapi_extra=SPREADSHEET_BODY,
    summary="Submit (or preview) a schedule of usage from a spreadsheet",
)
@router.post(
    "/{facility_id}/schedule/csv",
    responses=CHANGE,
    openapi_extra=SPREADSHEET_BODY,
    summary="The same as /schedule/spreadsheet (its earlier name)",
    deprecated=True,
)
def upload_schedule(
    facility_id: UUID,
    period_start: Annotated[Day, Form(description="First day the schedule covers")],
    period_end: Annotated[Day, Form(description="Last day the schedule covers")],
    file: Annotated[
        UploadFile, File(description="CSV or XLSX: starts_on, ends_on, kind, purpose, rooms")
    ],
    principal: MaySubmitSchedule,
    planner: PlannerDep,
    projections: ProjectionsDep,
    response: Response,
    dry_run: Annotated[
        bool, Form(description="Only say what would change (added, replaced, removed)")
    ] = False,
    empty_period: Annotated[
        bool, Form(description="A file with a header and no rows empties the period")
    ] = False,
    effective_on: Annotated[
        date | None,
        Form(description="The business date the submission takes effect (default: today)"),
    ] = None,
    if_match: Annotated[
        str | None,
        Header(description='The ETag you read, e.g. `"3"`; required unless `dry_run`.'),
    ] = None,
) -> ScheduleImported:
    """The venue's usage for a period from a spreadsheet, one row per booking or closure; it
    replaces what an earlier submission said about the period. CSV with any common delimiter
    (`,` `;` tab), UTF-8 (with or without BOM) or Windows-1252, or an Excel `.xlsx` (its first
    sheet). Dates `YYYY-MM-DD` or `DD/MM/YYYY`; `kind` booking or closure in any case (blank:
    booking); `rooms` blank for 1:

        starts_on,ends_on,kind,purpose,rooms
        2003-04-07,2003-04-07,Booking,Borough briefing and tasking,1
        2003-04-18,2003-04-18,closure,Good Friday,

    Every problem is answered at once (422): each error names the spreadsheet's `row`, the
    `column`, the `value` and the `rule`; a clash names the other row or the confirmed session.
    With `dry_run=true` nothing is stored and the answer says what would be added, replaced and
    removed. A file with a header and no rows is refused unless `empty_period=true`."""
    expected = None if dry_run else expected_version(if_match)
    data = file.file.read(MAX_BYTES + 1)
    done = import_schedule(
        planner,
        facility_id,
        data,
        filename=file.filename,
        period_start=period_start,
        period_end=period_end,
        actor=principal.name,
        dry_run=dry_run,
        empty_period=empty_period,
        expected_version=expected,
        acting_for=principal.acting_for,
        session_words=confirmed_session_words(projections),
        effective_on=effective_on,
    )
    response.headers["ETag"] = etag(done.version)
    return ScheduleImported.model_validate({"id": facility_id, **done.as_dict()})


@router.post("/{facility_id}/running-cost", responses=CHANGE)
def set_facility_running_cost(
    facility_id: UUID,
    body: RunningCostSetting,
    principal: MayChangeFacility,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """LSPU sets the venue's fixed running cost a year: revenue in every plan that keeps the
    venue, saved by a what-if that closes it (`close=NAME`)."""
    version = planner.set_facility_running_cost(
        facility_id,
        per_year=body.per_year,
        effective_on=body.effective_on,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
    )
    return written(response, facility_id, version)


@router.post("/{facility_id}/decommission", responses=CHANGE)
def decommission_facility(
    facility_id: UUID,
    body: Decommissioning,
    principal: MayDecommissionFacility,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    version = planner.decommission_facility(
        facility_id,
        on=body.on,
        reason=body.reason,
        actor=principal.name,
        expected_version=expected,
        effective_on=body.effective_on,
    )
    return written(response, facility_id, version)
