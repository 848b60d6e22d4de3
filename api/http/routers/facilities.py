"""Facilities: every training venue, and its schedule of usage (JSON, or a CSV upload)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status

from api.http.deps import (
    ExpectedVersionDep,
    MayChangeFacility,
    MayDecommissionFacility,
    MayRegisterFacility,
    MaySubmitSchedule,
    PlannerDep,
    etag,
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
    ScheduleSubmission,
)
from domain import Facility, InvalidValue

router = APIRouter(
    prefix="/api/v1/facilities", tags=["facilities"], dependencies=[Depends(get_principal)]
)

CSV_COLUMNS = ("starts_on", "ends_on", "kind", "purpose", "rooms")
MAX_CSV_BYTES = 5_000_000


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
    response: Response,
    from_: Annotated[Day | None, Query(alias="from", description="First day shown")] = None,
    to: Annotated[Day | None, Query(description="Last day shown")] = None,
) -> FacilityCalendar:
    """The venue's calendar: its submitted usage (bookings, closures) and the confirmed
    sessions of published prospectuses, by date."""
    facility = planner.load(Facility, facility_id)
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
            purpose=f"{s['course_code']} session {s['session_id']}",
            rooms=s["rooms"],
            session_id=s["session_id"],
            cycle_id=s.get("cycle_id"),
        )
        for s in facility.sessions
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
    )
    return written(response, facility_id, version)


def parse_schedule_csv(data: bytes) -> list[dict[str, Any]]:
    """One row per booking or closure: starts_on, ends_on, kind, purpose, rooms (kind and
    rooms optional). A faulty row is named as `file[line].column`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidValue("file", "must be UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in ("starts_on", "ends_on", "purpose") if column not in header]
    if missing:
        raise InvalidValue(
            "file", f"the header must name {', '.join(CSV_COLUMNS)}; missing: {', '.join(missing)}"
        )
    reader.fieldnames = header
    entries = []
    for row in reader:
        line = reader.line_num
        unknown = [key for key in row if key not in CSV_COLUMNS]
        if unknown:
            raise InvalidValue(f"file[{line}]", f"unknown column {unknown[0]!r}")
        entry: dict[str, Any] = {
            key: (value or "").strip() for key, value in row.items() if isinstance(value, str)
        }
        entry["kind"] = entry.get("kind") or "booking"
        rooms = entry.pop("rooms", "") or "1"
        try:
            entry["rooms"] = int(rooms)
        except ValueError:
            raise InvalidValue(f"file[{line}].rooms", "must be a whole number") from None
        entries.append(entry)
    return entries


@router.post(
    "/{facility_id}/schedule/csv",
    responses=CHANGE,
    openapi_extra={
        "requestBody": {
            "content": {"multipart/form-data": {"encoding": {"file": {"contentType": "text/csv"}}}}
        }
    },
)
def upload_schedule_csv(
    facility_id: UUID,
    period_start: Annotated[Day, Form(description="First day the schedule covers")],
    period_end: Annotated[Day, Form(description="Last day the schedule covers")],
    file: Annotated[UploadFile, File(description="CSV: starts_on,ends_on,kind,purpose,rooms")],
    principal: MaySubmitSchedule,
    expected: ExpectedVersionDep,
    planner: PlannerDep,
    response: Response,
) -> Written:
    """The same as the JSON schedule, from a spreadsheet saved as CSV, one row per booking:

    starts_on,ends_on,kind,purpose,rooms
    2003-04-07,2003-04-07,booking,Borough briefing and tasking,1
    2003-04-18,2003-04-18,closure,Good Friday,
    """
    data = file.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise InvalidValue("file", f"must be at most {MAX_CSV_BYTES} bytes")
    version = planner.submit_schedule(
        facility_id,
        period_start=period_start,
        period_end=period_end,
        entries=parse_schedule_csv(data),
        actor=principal.name,
        expected_version=expected,
        acting_for=principal.acting_for,
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
    )
    return written(response, facility_id, version)
