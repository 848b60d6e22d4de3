"""`trainplan facilities ...`: the venues (list), a venue's calendar, and its schedule of usage
imported from a spreadsheet (CSV or XLSX), with a dry run that says what would change."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from api.cli.common import Format, console, fail, show
from api.cli.listings import FormatOption, Limit, Offset, list_facilities, opened
from api.files.names import find_facility
from api.files.prospectus import calendar_words, confirmed_session_words
from api.files.schedule import ScheduleImport, import_schedule
from api.files.spreadsheet import MAX_BYTES
from projections.queries import facility_calendar

app = typer.Typer(
    help="Venues: list them, see a calendar, import a schedule of usage.", no_args_is_help=True
)
app.command("list")(list_facilities)

FacilityArgument = Annotated[
    str, typer.Argument(help="The facility: its name, 'NAME, SITE' or its id.")
]


@app.command("import-schedule")
def import_schedule_command(
    facility: FacilityArgument,
    file: Annotated[Path, typer.Argument(help="A CSV or .xlsx sheet, one row per entry.")],
    first: Annotated[
        str, typer.Option("--from", help="First day the schedule covers (YYYY-MM-DD).")
    ],
    last: Annotated[str, typer.Option("--to", help="Last day it covers (YYYY-MM-DD).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only say what would change; store nothing.")
    ] = False,
    empty_period: Annotated[
        bool,
        typer.Option(
            "--empty-period", help="A sheet with a header and no rows empties the period."
        ),
    ] = False,
    actor: Annotated[str, typer.Option(help="Who submits it (recorded).")] = "",
    effective_on: Annotated[
        str | None,
        typer.Option(
            "--effective-on",
            help="The business date the submission takes effect, YYYY-MM-DD (default: today).",
        ),
    ] = None,
) -> None:
    """Submit a venue's schedule of usage for a period from a spreadsheet: columns starts_on,
    ends_on, purpose, and optionally kind (booking or closure) and rooms. It replaces what an
    earlier submission said about the period. Every problem is listed, with its row and column;
    nothing is stored unless the whole sheet is right."""
    if not file.is_file():
        fail("FILE", f"{file} is not a file")
    data = file.read_bytes()
    if len(data) > MAX_BYTES:
        fail("FILE", f"{file} must be at most {MAX_BYTES:,} bytes")
    with opened() as stack:
        found = find_facility(stack.projections, facility)
        done = import_schedule(
            stack.planner,
            UUID(found["id"]),
            data,
            filename=file.name,
            period_start=first,
            period_end=last,
            actor=actor or f"cli:{getpass.getuser()}",
            dry_run=dry_run,
            empty_period=empty_period,
            session_words=confirmed_session_words(stack.projections),
            effective_on=effective_on,
        )
        if done.stored:
            stack.catch_up()
    console.print(change_table(done))
    if done.stored:
        console.print(
            f"Stored: {done.facility}'s schedule from {done.period_start} to "
            f"{done.period_end} ({done.rows} entries), version {done.version}."
        )
    else:
        console.print("Dry run: nothing was stored.")


def change_table(done: ScheduleImport) -> Table:
    """The entries the import adds, replaces and removes (the title says how many)."""
    change = done.change
    table = Table(
        title=f"{len(change.added)} added, {len(change.replaced)} replaced, "
        f"{len(change.removed)} removed, {change.unchanged} unchanged",
        caption=f"{done.facility}, {done.period_start} to {done.period_end}",
    )
    for column in ("Change", "Starts", "Ends", "Kind", "Purpose", "Rooms"):
        table.add_column(column)

    def add(what: str, e: dict[str, Any]) -> None:
        table.add_row(what, e["starts_on"], e["ends_on"], e["kind"], e["purpose"], str(e["rooms"]))

    for entry in change.added:
        add("added", entry)
    for before, after in change.replaced:
        add("replaced", before)
        add("  by", after)
    for entry in change.removed:
        add("removed", entry)
    return table


CALENDAR_COLUMNS = (
    ("Starts", "starts_on"),
    ("Ends", "ends_on"),
    ("Kind", "kind"),
    ("Status", "status"),
    ("Purpose", "purpose"),
    ("Rooms", "rooms"),
)


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(option, f"must be a date as YYYY-MM-DD, not {text!r}")


@app.command("calendar")
def calendar(
    facility: FacilityArgument,
    first: Annotated[str | None, typer.Option("--from", help="First day shown.")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day shown.")] = None,
    fmt: FormatOption = Format.table,
    offset: Offset = 0,
    limit: Limit = 100,
) -> None:
    """A venue's calendar: its bookings and closures, the confirmed sessions of published
    prospectuses and the tentative ones of drafts, by date."""
    start, end = _day("--from", first), _day("--to", last)
    with opened() as stack:
        found = find_facility(stack.projections, facility)
        entries = facility_calendar(stack.projections, found["id"], start, end)
        shown = calendar_words(stack.projections, entries[offset : offset + limit])
    show(
        shown,
        CALENDAR_COLUMNS,
        fmt,
        title=f"{found['name']}, {found['site']}",
        total=len(entries),
        offset=offset,
    )
