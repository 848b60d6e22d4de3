"""Facility utilisation by week (a heat map), each facility's calendar (a week or month grid),
and the schedule-of-usage upload with its preview and every row's error before anything is
stored (`api.files.schedule`, the same code as the API and the CLI)."""

from __future__ import annotations

import base64
import binascii
from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from api.files.prospectus import confirmed_session_words, every_row
from api.files.schedule import ScheduleImport, ScheduleRefused, import_schedule
from api.files.spreadsheet import MAX_BYTES
from api.web.common import (
    FormDep,
    PageRefused,
    ProjectionsDep,
    StackDep,
    UserDep,
    chosen_cycle,
    day,
    group_codes,
    render,
    require,
    see_other,
)
from api.web.session import WebUser
from domain import DomainError
from domain.calendar import days_between
from projections import Projections
from projections.queries import facility_calendar

router = APIRouter(include_in_schema=False)

SUBMIT = "submit a facility's schedule"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PageRefused(422, "Date refused", f"{value!r}: must be a date, YYYY-MM-DD") from None


# --- the heat map -----------------------------------------------------------------------------


def heat_map(
    projections: Projections, first: date, last: date, site: str | None = None
) -> dict[str, Any]:
    """Facilities (rows) by week (columns) from the utilisation read model: each cell the share
    of room-hours in use, split into bookings, closures and confirmed sessions."""
    weeks = []
    week = monday(first)
    while week <= last:
        weeks.append(week.isoformat())
        week += timedelta(days=7)
    facilities = [f for f in every_row(projections, "facilities") if not site or f["site"] == site]
    facilities.sort(key=lambda f: (f["site"], f["name"]))
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    wanted = {f["id"] for f in facilities}
    ranges = {"from": weeks[0], "to": weeks[-1]} if weeks else {}
    for row in every_row(projections, "utilisation", ranges=ranges):
        if row["facility_id"] in wanted:
            cells[(row["facility_id"], row["week"])] = row
    codes = group_codes(projections)
    labels = [day(w) for w in weeks]
    rows = []
    for facility in facilities:
        line = []
        for week_of, label in zip(weeks, labels, strict=True):
            line.append(_cell(week_of, label, cells.get((facility["id"], week_of))))
        rows.append({"facility": facility, "group": codes.get(facility["owning_group_id"] or ""),
                     "cells": line})  # fmt: skip
    return {"weeks": weeks, "labels": labels, "rows": rows}


def _cell(week: str, label: str, row: dict[str, Any] | None) -> dict[str, Any]:
    """A week of a facility: the whole percentages of its room-hours taken by confirmed
    sessions, bookings and closures, and the same in words."""
    if row is None or not row["available_hours"]:
        return {"week": week, "label": label, "share": 0.0, "parts": (0, 0, 0),
                "title": "nothing in use"}  # fmt: skip
    total = row["available_hours"]
    parts = tuple(
        round(100 * min(1.0, row[key] / total))
        for key in ("session_hours", "booked_hours", "closed_hours")
    )
    share = min(1.0, row["utilisation"])
    title = (
        f"{share:.0%} of {total:,.0f} room-hours in use: confirmed sessions "
        f"{row['session_hours']:,.0f} h, bookings {row['booked_hours']:,.0f} h, "
        f"closures {row['closed_hours']:,.0f} h"
    )
    return {"week": week, "label": label, "share": share, "parts": parts, "title": title}


@router.get("/utilisation", response_class=HTMLResponse)
def utilisation(
    request: Request,
    user: UserDep,
    projections: ProjectionsDep,
    cycle: Annotated[str | None, Query(max_length=40)] = None,
    site: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    chosen = chosen_cycle(projections, cycle)
    if chosen is None:
        today = date.today()
        first, last = today, today + timedelta(days=364)
    else:
        first, last = date.fromisoformat(chosen["starts_on"]), date.fromisoformat(chosen["ends_on"])
    sites = sorted({f["site"] for f in every_row(projections, "facilities")})
    return render(
        request, user, "utilisation.html", cycle=chosen, sites=sites,
        map=heat_map(projections, first, last, site or None), site=site or "",
        cycles=every_row(projections, "cycles"),
    )  # fmt: skip


# --- a facility's calendar --------------------------------------------------------------------


def _facility(projections: Projections, facility_id: UUID) -> dict[str, Any]:
    found = every_row(projections, "facilities", {"id": str(facility_id)})
    if not found:
        raise PageRefused(404, "No such facility", "There is no facility with that address.")
    return found[0]


def may_submit(user: WebUser, facility: dict[str, Any]) -> bool:
    """Whether the user may submit this facility's schedule: the right, and the group."""
    if not user.may(SUBMIT):
        return False
    scope = user.principal.acting_for
    return scope is None or facility["owning_group_id"] in {str(g) for g in scope}


def in_words(projections: Projections, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The calendar's sessions named by their course's code and title (the read model names
    them by an internal key). The session's number within its course is left to the
    prospectus: counting it means reading every session of the course."""
    titles = {n["course_code"]: n["title"] for n in every_row(projections, "needs")
              if n["course_code"]}  # fmt: skip
    return [
        {**e, "purpose": f"{e['course_code']} {titles.get(e['course_code'], '')}".strip()}
        if e["kind"] == "session" and e.get("course_code") else e
        for e in entries
    ]  # fmt: skip


def calendar_grid(
    projections: Projections, facility: dict[str, Any], view: str, on: date
) -> dict[str, Any]:
    """The weeks (rows) of days (Monday first) the view covers, each day with its entries."""
    if view == "week":
        first = monday(on)
        last = first + timedelta(days=6)
        month_of = None
    else:
        start = on.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        first, last = monday(start), monday(end) + timedelta(days=6)
        month_of = start.month
    entries = in_words(projections, facility_calendar(projections, facility["id"], first, last))
    by_day: dict[date, list[dict[str, Any]]] = {}
    for entry in entries:
        for when in days_between(max(date.fromisoformat(entry["starts_on"]), first),
                                min(date.fromisoformat(entry["ends_on"]), last)):  # fmt: skip
            by_day.setdefault(when, []).append(entry)
    weeks = []
    for start_of_week in days_between(first, last)[::7]:
        days = []
        for offset in range(7):
            when = start_of_week + timedelta(days=offset)
            listed = by_day.get(when, [])
            rooms = sum(e["rooms"] for e in listed if e["kind"] != "closure")
            closed = any(e["kind"] == "closure" for e in listed)
            days.append({"day": when, "entries": listed, "rooms": rooms, "closed": closed,
                         "other": month_of is not None and when.month != month_of})  # fmt: skip
        weeks.append(days)
    if view == "week":
        before, after = on - timedelta(days=7), on + timedelta(days=7)
    else:
        before = (on.replace(day=1) - timedelta(days=1)).replace(day=1)
        after = (on.replace(day=1) + timedelta(days=32)).replace(day=1)
    return {"weeks": weeks, "first": first, "last": last, "before": before, "after": after,
            "entries": len(entries)}  # fmt: skip


@router.get("/facilities/{facility_id}", response_class=HTMLResponse)
def facility_page(
    request: Request,
    facility_id: UUID,
    user: UserDep,
    projections: ProjectionsDep,
    view: Annotated[str, Query(pattern="^(week|month)$")] = "month",
    on: Annotated[str | None, Query(max_length=10)] = None,
    stored: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    facility = _facility(projections, facility_id)
    cycle = chosen_cycle(projections, None)
    default = date.fromisoformat(cycle["starts_on"]) if cycle else date.today()
    return _calendar_page(request, user, projections, facility, view, _day(on, default),
                          stored=stored)  # fmt: skip


def _calendar_page(
    request: Request,
    user: WebUser,
    projections: Projections,
    facility: dict[str, Any],
    view: str,
    on: date,
    status: int = 200,
    **upload: Any,
) -> HTMLResponse:
    grid = calendar_grid(projections, facility, view, on)
    return render(
        request, user, "facility.html", status=status, facility=facility, view=view, on=on,
        grid=grid, may_submit=may_submit(user, facility),
        group=group_codes(projections).get(facility["owning_group_id"] or ""), **upload,
    )  # fmt: skip


# --- the schedule upload ----------------------------------------------------------------------


@router.post("/facilities/{facility_id}/schedule", response_class=HTMLResponse)
async def upload_schedule(
    request: Request,
    facility_id: UUID,
    user: UserDep,
    stack: StackDep,
    form: FormDep,
) -> Response:
    """`step=check`: read and check every row, store nothing, show the preview or every error.
    `step=store`: store the sheet the preview showed (carried in the form), then the calendar."""
    require(user, SUBMIT)
    projections = stack.projections
    facility = _facility(projections, facility_id)
    step = str(form.get("step") or "check")
    period_start, period_end = (
        str(form.get("period_start") or ""),
        str(form.get("period_end") or ""),
    )
    empty_period = form.get("empty_period") == "yes"
    upload = form.get("file")
    if step == "store":
        try:
            data = base64.b64decode(str(form.get("data") or ""), validate=True)
        except binascii.Error:
            data = b""
        filename = str(form.get("filename") or "") or None
        version_text = str(form.get("version") or "")
        expected = int(version_text) if version_text.isdigit() else None
    elif isinstance(upload, UploadFile):
        data = await upload.read(MAX_BYTES + 1)
        filename = upload.filename
        expected = None
    else:
        data, filename, expected = b"", None, None
    on = _day(period_start if len(period_start) == 10 else None, date.today())
    shown: dict[str, Any] = {"period_start": period_start, "period_end": period_end,
                             "empty_period": empty_period, "filename": filename}  # fmt: skip
    try:
        done: ScheduleImport = import_schedule(
            stack.planner,
            facility_id,
            data,
            filename=filename,
            period_start=period_start,
            period_end=period_end,
            actor=user.name,
            dry_run=step != "store",
            empty_period=empty_period,
            expected_version=expected,
            acting_for=user.principal.acting_for,
            session_words=confirmed_session_words(projections),
        )
    except ScheduleRefused as refused:
        errors = [error.as_dict() for error in refused.errors]
        return _calendar_page(request, user, projections, facility, "month", on, status=422,
                              errors=errors, **shown)  # fmt: skip
    except DomainError as refused:
        return _calendar_page(request, user, projections, facility, "month", on, status=422,
                              errors=[{"field": "", "row": None, "column": None, "value": None,
                                       "rule": str(refused)}], **shown)  # fmt: skip
    if step == "store":
        return see_other(f"/facilities/{facility_id}?view=month&on={done.period_start}"
                         f"&stored={done.rows}")  # fmt: skip
    preview = {
        **done.change.as_dict(),
        "rows": done.rows,
        "version": done.version,
        "data": base64.b64encode(data).decode(),
    }
    return _calendar_page(request, user, projections, facility, "month", on, preview=preview,
                          **shown)  # fmt: skip
