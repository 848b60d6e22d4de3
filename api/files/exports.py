"""Files out: the prospectus as CSV, iCalendar (RFC 5545, by the `icalendar` package) and XLSX
(openpyxl), and any read model's rows as CSV. Plain functions from rows to bytes, for the HTTP
API, the CLI and the web pages alike.

The prospectus functions take its rows as `api.files.prospectus.edition` gives them: the read
model's rows with each session's `number` within its course and the course's count (`of`).
CSV is written as UTF-8 with a byte-order mark, so that Excel opens it with the right
characters (`£`, accents) on a double-click."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from api.files.prospectus import session_label

CSV_TYPE = "text/csv; charset=utf-8"
ICS_TYPE = "text/calendar; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRODID = "-//trainplan//prospectus//EN"

# (heading, key or function of the row) for a prospectus in people's words
PROSPECTUS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Course", "course_code"),
    ("Title", "title"),
    ("Session", "session"),
    ("Groups", "groups"),
    ("Venue", "venue_name"),
    ("Site", "site"),
    ("Starts", "starts_on"),
    ("Ends", "ends_on"),
    ("Days", "days"),
    ("Places", "places"),
    ("Cost (£)", "cost"),
    ("Learner abstraction (£)", "abstraction_cost"),
    ("Pinned", "pinned"),
    ("Session id", "session_id"),
)


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: nested data as JSON text, nothing as blank."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def rows_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    """Any rows as CSV, one column per key (of the first row unless `columns` names them)."""
    rows = list(rows)
    names = list(columns or (rows[0].keys() if rows else []))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in names])
    return out.getvalue().encode("utf-8-sig")


def _session(row: dict[str, Any]) -> str:
    return f"{row['number']} of {row['of']}" if row.get("number") else ""


def prospectus_table(rows: Iterable[dict[str, Any]]) -> list[list[Any]]:
    """The prospectus as a table: the headings, then one row per session."""
    table: list[list[Any]] = [[heading for heading, _ in PROSPECTUS_COLUMNS]]
    for row in rows:
        values = {**row, "session": _session(row), "pinned": "yes" if row.get("pinned") else ""}
        table.append([_cell(values.get(key)) for _, key in PROSPECTUS_COLUMNS])
    return table


def prospectus_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    """The prospectus as CSV, one session a line, in people's words."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(prospectus_table(rows))
    return out.getvalue().encode("utf-8-sig")


def prospectus_xlsx(rows: Iterable[dict[str, Any]], title: str = "Prospectus") -> bytes:
    """The prospectus as an Excel workbook: real dates and numbers, a bold header row that
    stays in view, columns wide enough to read."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Prospectus"
    dates = {i for i, (_, key) in enumerate(PROSPECTUS_COLUMNS) if key in ("starts_on", "ends_on")}
    money = {i for i, (_, key) in enumerate(PROSPECTUS_COLUMNS) if key.endswith("cost")}
    for number, values in enumerate(prospectus_table(rows)):
        if number:
            values = [
                date.fromisoformat(v) if i in dates and v else v for i, v in enumerate(values)
            ]
        sheet.append(values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if cell.column - 1 in dates:
                cell.number_format = "yyyy-mm-dd"
            elif cell.column - 1 in money:
                cell.number_format = "#,##0"
    widths = {"Course": 8, "Title": 40, "Venue": 28, "Site": 20, "Groups": 10, "Session id": 50}
    for index, (heading, _) in enumerate(PROSPECTUS_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(heading, max(10, len(heading) + 2))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _uid(session_id: str) -> str:
    """A session's stable UID: its id with only the characters a UID keeps well."""
    return re.sub(r"[^A-Za-z0-9.-]+", "-", session_id).strip("-") + "@trainplan"


def prospectus_ics(
    rows: Iterable[dict[str, Any]], cycle: str, *, stamp: datetime | None = None
) -> bytes:
    """The prospectus as an iCalendar file: one all-day event per session (its last day
    included), named in people's words, at its venue, with the groups and places it serves.
    A session keeps its UID from one export to the next, so a calendar that imports the file
    again updates the sessions rather than doubling them."""
    from icalendar import Calendar, Event

    stamp = stamp or datetime.now(UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Prospectus {cycle}")
    for row in rows:
        event = Event()
        event.add("uid", _uid(str(row["session_id"])))
        event.add("dtstamp", stamp)
        event.add("dtstart", date.fromisoformat(row["starts_on"]))
        event.add("dtend", date.fromisoformat(row["ends_on"]) + timedelta(days=1))
        event.add("summary", session_label(row))
        where = ", ".join(str(p) for p in (row.get("venue_name"), row.get("site")) if p)
        if where:
            event.add("location", where)
        event.add(
            "description",
            f"{row['places']} places for {row.get('groups') or 'no group'}; "
            f"{row['days']} day(s); prospectus {cycle}"
            + (f" ({row['edition']})" if row.get("edition") else ""),
        )
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()
