"""`trainplan prospectus CYCLE`: a cycle's published (or draft) prospectus as people read it,
grouped by course with each course's title and every session's number within it, filtered by
group, course, venue or month, a page at a time or whole, as a table or a file (CSV, iCalendar,
XLSX, JSON)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli.common import console, err, fail
from api.cli.listings import cycle_id, opened
from api.files import exports
from api.files.names import group_id_for
from api.files.prospectus import Selection, edition
from domain import InvalidValue

TABLE_LIMIT = 60


class ProspectusFormat(StrEnum):
    table = "table"
    csv = "csv"
    ics = "ics"
    xlsx = "xlsx"
    json = "json"


def prospectus(
    cycle: Annotated[str, typer.Argument(help="The planning cycle's name, e.g. 2003/04.")],
    draft: Annotated[
        bool, typer.Option(help="Show the draft instead of the published one.")
    ] = False,
    group: Annotated[
        str | None, typer.Option(help="Only sessions for this business group (its code).")
    ] = None,
    course: Annotated[
        str | None, typer.Option(help="Only this course: its code, or a word of its title.")
    ] = None,
    venue: Annotated[
        str | None, typer.Option(help="Only venues whose name or site has this word.")
    ] = None,
    month: Annotated[str | None, typer.Option(help="Only sessions in this month: YYYY-MM.")] = None,
    offset: Annotated[int, typer.Option(min=0, help="Sessions to skip.")] = 0,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help=f"At most this many sessions (table {TABLE_LIMIT}, file all)."),
    ] = None,
    fmt: Annotated[
        ProspectusFormat,
        typer.Option("--format", case_sensitive=False, help="table, csv, ics, xlsx or json."),
    ] = ProspectusFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the file here (default: stdout).")
    ] = None,
) -> None:
    """Print a cycle's prospectus (the published edition, or the draft with --draft), grouped
    by course, or write it as CSV, iCalendar (.ics), Excel (.xlsx) or JSON."""
    if output is not None and not output.parent.is_dir():
        fail("--output", f"the folder {output.parent} does not exist")
    if fmt is ProspectusFormat.xlsx and output is None and sys.stdout.isatty():
        fail("--output", "an .xlsx workbook is written to a file: add --output FILE.xlsx")
    which = "draft" if draft else "published"
    with opened() as stack:
        key = cycle_id(stack, cycle)
        if group:
            group_id_for(stack.projections, group, "--group")
        try:
            selection = Selection(group=group, course=course, venue=venue, month=month)
        except InvalidValue as invalid:
            fail(f"--{invalid.field}", invalid.rule)
        every = edition(stack.projections, key, which)
    if not every:
        fail("CYCLE", f"cycle {cycle} has no {which} prospectus yet", code=1)
    chosen = [row for row in every if selection.keeps(row)]
    if limit is None and fmt is ProspectusFormat.table:
        limit = TABLE_LIMIT
    rows = chosen[offset:] if limit is None else chosen[offset : offset + limit]
    if fmt is ProspectusFormat.table:
        console.print(course_table(rows, f"Prospectus {cycle} ({which})"))
        console.print(summary(every, chosen, rows, offset))
        return
    data = render(fmt, rows, cycle, which)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err.print(f"Wrote {len(rows):,} sessions to {output}", highlight=False)


def render(fmt: ProspectusFormat, rows: list[dict[str, Any]], cycle: str, which: str) -> bytes:
    if fmt is ProspectusFormat.csv:
        return exports.prospectus_csv(rows)
    if fmt is ProspectusFormat.ics:
        return exports.prospectus_ics(rows, cycle)
    if fmt is ProspectusFormat.xlsx:
        return exports.prospectus_xlsx(rows, f"Prospectus {cycle}")
    return (json.dumps(rows, indent=2, default=str) + "\n").encode()


def course_table(rows: list[dict[str, Any]], title: str) -> Table:
    """One section per course: its code and title on its first line, then its sessions."""
    table = Table(title=title)
    for column, right in (("Course", False), ("Session", True), ("Groups", False),
                          ("Venue", False), ("Starts", False), ("Ends", False),
                          ("Places", True), ("Cost £", True)):  # fmt: skip
        table.add_column(column, justify="right" if right else "left")
    previous = None
    for row in rows:
        first = row["course_code"] != previous
        if first and previous is not None:
            table.add_section()
        previous = row["course_code"]
        table.add_row(
            f"{row['course_code']} {row.get('title') or ''}" if first else "",
            f"{row['number']} of {row['of']}",
            str(row.get("groups") or ""),
            ", ".join(str(p) for p in (row.get("venue_name"), row.get("site")) if p),
            str(row["starts_on"]),
            str(row["ends_on"]),
            f"{row['places']:,}",
            f"{float(row.get('cost') or 0):,.0f}",
        )
    return table


def summary(
    every: list[dict[str, Any]],
    chosen: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    offset: int,
) -> str:
    courses = len({r["course_code"] for r in every})
    text = f"{len(every):,} sessions of {courses} courses in all"
    if len(chosen) != len(every):
        text += f"; {len(chosen):,} match"
    places = sum(int(r["places"]) for r in chosen)
    cost = sum(float(r.get("cost") or 0) for r in chosen)
    text += f" ({places:,} places, £{cost:,.0f})"
    if not rows:
        return text + f"; none from --offset {offset}."
    text += f"; shown {offset + 1:,}-{offset + len(rows):,}"
    if offset + len(rows) < len(chosen):
        text += " (--offset and --limit show more)"
    return text + "."
