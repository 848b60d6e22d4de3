"""The day-to-day listings a planner reads: `trainplan facilities list`, `needs list`,
`cycles list`, `cycles runs CYCLE`, each as a table, CSV or JSON, with filters in the boards'
words (group codes, course codes) and any page (`--offset`, `--limit`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from api.cli.common import Format, fail, settings, show
from api.files.names import group_codes, group_id_for, with_group_codes
from api.files.prospectus import every_row
from api.stack import Stack, open_stack
from domain import DomainError

FormatOption = Annotated[
    Format, typer.Option("--format", help="table (default), csv or json.", case_sensitive=False)
]
Offset = Annotated[int, typer.Option(min=0, help="Rows to skip.")]
Limit = Annotated[int, typer.Option(min=1, help="At most this many rows.")]
GroupOption = Annotated[str | None, typer.Option("--group", help="A business group's code.")]

needs = typer.Typer(help="Training needs: the needs register.", no_args_is_help=True)
cycles = typer.Typer(help="Planning cycles and their optimisation runs.", no_args_is_help=True)


def opened() -> Stack:
    return open_stack(settings(), planning=False)


def cycle_id(stack: Stack, name: str) -> str:
    """The id of the cycle with this name, or one line naming the cycles there are."""
    try:
        return str(stack.planner.cycle_id_for_name(name))
    except DomainError:
        names = [row["name"] for row in every_row(stack.projections, "cycles")]
        fail(
            "CYCLE",
            f"no planning cycle is called {name!r}; the cycles are "
            f"{', '.join(names) or 'none yet'} (`trainplan cycles list`)",
        )


def page(rows: list[dict[str, Any]], offset: int, limit: int) -> list[dict[str, Any]]:
    return rows[offset : offset + limit]


FACILITY_COLUMNS = (
    ("Name", "name"),
    ("Site", "site"),
    ("Group", "owning_group_code"),
    ("Rooms", "rooms"),
    ("Seats", "capacity"),
    ("Features", "features"),
    ("£/day", "cost_per_day"),
    ("Status", "status"),
    ("Bookings", "bookings"),
    ("Sessions", "confirmed_sessions"),
)


def list_facilities(
    site: Annotated[str | None, typer.Option(help="Only this site (any case).")] = None,
    group: GroupOption = None,
    status: Annotated[str | None, typer.Option(help="'in service' or 'decommissioned'.")] = None,
    fmt: FormatOption = Format.table,
    offset: Offset = 0,
    limit: Limit = 100,
) -> None:
    """Every venue: site, owning group, rooms, seats, features, day rate, status, bookings and
    confirmed sessions (central venues have no group)."""
    with opened() as stack:
        rows = with_group_codes(
            every_row(stack.projections, "facilities"), group_codes(stack.projections)
        )
        if group:
            wanted = group_id_for(stack.projections, group, "--group")
            rows = [r for r in rows if r["owning_group_id"] == wanted]
        if site:
            rows = [r for r in rows if r["site"].lower() == site.strip().lower()]
        if status:
            rows = [r for r in rows if r["status"] == status.strip().lower()]
    show(
        page(rows, offset, limit),
        FACILITY_COLUMNS,
        fmt,
        title="Facilities",
        total=len(rows),
        offset=offset,
    )


NEED_COLUMNS = (
    ("Title", "title"),
    ("Group", "group_code"),
    ("Status", "status"),
    ("Level", "level"),
    ("Score", "score"),
    ("Course", "course_code"),
    ("Learners", "learners"),
    ("Days", "days_per_learner"),
    ("Window", "window"),
    ("Last decision", "last_decision"),
)


@needs.command("list")
def list_needs(
    group: GroupOption = None,
    status: Annotated[
        str | None, typer.Option(help="identified, analysed, prioritised, endorsed, ...")
    ] = None,
    level: Annotated[
        str | None, typer.Option(help="Mandated, Essential, Desirable or Optional.")
    ] = None,
    course: Annotated[str | None, typer.Option(help="A course code, e.g. OT232.")] = None,
    fmt: FormatOption = Format.table,
    offset: Offset = 0,
    limit: Limit = 100,
) -> None:
    """The needs register: each need's group, status, priority, course and latest decision."""
    filters = {
        "group_code": group.strip().upper() if group else None,
        "status": status.strip().lower() if status else None,
        "level": level.strip().capitalize() if level else None,
        "course_code": course.strip().upper() if course else None,
    }
    with opened() as stack:
        if group:
            group_id_for(stack.projections, group, "--group")
        _, total = stack.projections.query("needs", filters=filters, limit=1)
        rows = every_row(stack.projections, "needs", filters, offset=offset, limit=limit)
    for row in rows:
        if row.get("window_start"):
            row["window"] = f"{row['window_start']} to {row['window_end']}"
    show(rows, NEED_COLUMNS, fmt, title="Training needs", total=total, offset=offset)


CYCLE_COLUMNS = (
    ("Name", "name"),
    ("Status", "status"),
    ("Starts", "starts_on"),
    ("Ends", "ends_on"),
    ("Budget £", "budget"),
    ("Runs", "runs"),
    ("Running", "runs_in_progress"),
    ("Draft sessions", "draft_sessions"),
    ("Published sessions", "published_sessions"),
    ("Published cost £", "published_cost"),
    ("Published by", "published_by"),
)


@cycles.command("list")
def list_cycles(fmt: FormatOption = Format.table) -> None:
    """Every planning cycle: dates, budget, runs, draft and published prospectus."""
    with opened() as stack:
        rows = every_row(stack.projections, "cycles")
    show(rows, CYCLE_COLUMNS, fmt, title="Planning cycles")


RUN_COLUMNS = (
    ("Run", "run_id"),
    ("Started", "started_at"),
    ("By", "started_by"),
    ("Outcome", "outcome"),
    ("What-if", "what_if_text"),
    ("Sessions", "sessions"),
    ("Cash cost £", "cost_total"),
    ("Needs met / partly / not", "needs"),
    ("Centres opened", "centres"),
    ("Note", "note"),
)


@cycles.command("runs")
def list_runs(
    cycle: Annotated[str, typer.Argument(help="The planning cycle's name, e.g. 2003/04.")],
    fmt: FormatOption = Format.table,
    offset: Offset = 0,
    limit: Limit = 100,
) -> None:
    """A cycle's optimisation runs in the order they started, with their outcome."""
    with opened() as stack:
        key = cycle_id(stack, cycle)
        rows = every_row(stack.projections, "runs", {"cycle_id": key})
        centres = {r["id"]: r["name"] for r in every_row(stack.projections, "centres")}
    for row in rows:
        what_if = (row.get("settings") or {}).get("what_if") or {}
        row["what_if_text"] = (
            "; ".join(f"{k}={v}" for k, v in what_if.items())
            if isinstance(what_if, dict)
            else str(what_if)
        )
        row["centres"] = [centres.get(c, c) for c in row.get("centres_opened") or []]
        row["started_at"] = str(row.get("started_at") or "")[:16].replace("T", " ")
        row["outcome"] = row["status"] or row["state"]
        row["needs"] = f"{row['needs_met']} / {row['needs_partly_met']} / {row['needs_unmet']}"
    show(
        page(rows, offset, limit),
        RUN_COLUMNS,
        fmt,
        title=f"Optimisation runs of {cycle}",
        total=len(rows),
        offset=offset,
    )
