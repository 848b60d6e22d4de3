"""`trainplan audit ...`: the auditors' tools (verify, export, import, replay as of)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.common import fail, safe_url
from api.settings import get_settings
from api.stack import open_stack
from domain import TrainingPlanner
from domain.store import is_postgres, sqlite_path
from projections import Projections, integrity
from projections.queries import QUERIES
from projections.replay import ReplayError
from projections.replay import replay as build
from projections.transfer import ImportRefused, export_events, import_events

app = typer.Typer(help="The auditors' tools: verify, export, import, replay as of a time.")
console = Console()
err = Console(stderr=True)

REPLAY_SHOWS = ("needs", "group_time", "centres", "cycles", "prospectus")
BACK_DATED_DAYS = 1  # an entry effective more days than this before its recording is flagged


@app.command()
def verify(
    seal_first: Annotated[
        bool, typer.Option("--seal/--no-seal", help="Seal new events before verifying.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Prove that no stored event was changed, removed, inserted or reordered since it was
    sealed. Exits 0 on an untouched store, 1 naming the first bad event otherwise; 1 too on a
    store that does not exist or holds no events (nothing to prove: is the URL right?)."""
    settings = get_settings()
    url, key = settings.database_url, settings.seal_secret
    if not is_postgres(url) and sqlite_path(url) != ":memory:":
        path = Path(sqlite_path(url)).expanduser()
        if not path.is_file():  # checked before anything could create it
            fail("TRAINPLAN_DATABASE_URL", f"there is no store at {path}: nothing to verify",
                 code=1)  # fmt: skip
    if seal_first:
        try:
            integrity.seal(url, key=key)
        except integrity.SealRefused as error:
            console.print(f"[red]TAMPERED: sealing refused: {error}[/red]")
            raise typer.Exit(1) from error
    report = integrity.verify(url, key=key)
    if report.events == 0 and report.sealed == 0:
        fail("TRAINPLAN_DATABASE_URL", f"the store {safe_url(url)} holds no events: nothing to "
             "verify", code=1)  # fmt: skip
    if as_json:
        typer.echo(json.dumps(report.as_dict()))
    elif report.ok:
        console.print(
            f"[green]Verified[/green] {report.events:,} events: {report.sealed:,} sealed, "
            f"{report.unsealed:,} not sealed yet. Head of the chain: {report.head}"
        )
    else:
        console.print(f"[red]TAMPERED[/red] at event {report.first_bad}: {report.problem}")
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Write every event in order as JSON Lines: position, entity, type, version, actor,
    reason, time, the readable payload, and the stored state (so an import is exact)."""
    if output is not None:
        if output.is_dir():
            fail("--output", f"{output} is a folder; name a file in it")
        if not output.parent.is_dir():
            fail("--output", f"the folder {output.parent} does not exist")
    planner = TrainingPlanner.open(get_settings().database_url)
    try:
        with ExitStack() as stack:
            out = stack.enter_context(output.open("w", encoding="utf-8")) if output else sys.stdout
            count = export_events(planner, out)
        err.print(f"Exported {count:,} events" + (f" to {output}" if output else ""))
    finally:
        planner.close()


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(help="A JSON Lines file made by `audit export`.")],
) -> None:
    """Load an exported history into an EMPTY store (refused otherwise), exactly as it was;
    the projections then catch up and match the original's digests."""
    if not source.is_file():
        console.print(f"[red]SOURCE: {source} is not a file[/red]")
        raise typer.Exit(2)
    planner = TrainingPlanner.open(get_settings().database_url)
    try:
        with source.open(encoding="utf-8") as lines:
            count = import_events(planner, lines)
    except ImportRefused as error:
        console.print(f"[red]Refused: {error}[/red]")
        raise typer.Exit(1) from error
    finally:
        planner.close()
    with open_stack(get_settings(), planning=False) as stack:  # catch up, seal what is new
        digests = stack.projections.digests()
    console.print(f"Imported {count:,} events.")
    for name, digest in digests.items():
        console.print(f"  {name:<12} {digest}")


@app.command()
def replay(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="A business date, YYYY-MM-DD: the events that took effect on or before it, "
            "whenever they were recorded.",
        ),
    ] = None,
    recorded_at: Annotated[
        str | None,
        typer.Option(
            "--recorded-at",
            help="An ISO 8601 time, e.g. 2026-11-30T17:00:00Z: the events the store held then.",
        ),
    ] = None,
    upto: Annotated[
        int | None, typer.Option("--upto", min=0, help="The last notification id to apply.")
    ] = None,
    view: Annotated[
        list[str] | None,
        typer.Option(
            "--view",
            help="Read models to show: needs, group_time, centres, cycles, prospectus, costs, "
            "facilities, utilisation, runs, audit (default: a summary set).",
        ),
    ] = None,
    into: Annotated[
        str,
        typer.Option(help="Where to build them: default an in-memory database (nothing kept)."),
    ] = "sqlite://",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Rows per read model.")] = 20,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON object: the point, events_applied, events_total, each read "
            "model's and table's row count, and the rows shown.",
        ),
    ] = False,
) -> None:
    """Build the read models as effective on a business date (--as-of), as recorded at a time
    (--recorded-at) or after an event (--upto), or a date with one of the others, into a
    separate database and show them. The live read models are not touched."""
    shows = list(view or REPLAY_SHOWS)
    for name in shows:
        if name not in QUERIES:
            fail("--view", f"unknown read model {name!r}; one of: {', '.join(sorted(QUERIES))}")
    try:
        result = build(
            get_settings().database_url,
            effective_on=as_of,
            recorded_at=recorded_at,
            upto=upto,
            into=into,
        )
    except ReplayError as error:
        fail(f"--{error.field.replace('_', '-')}", error.rule)
    try:
        shown = {name: result.projections.query(name, limit=limit) for name in shows}
        if as_json:
            views = {name: {"total": total, "rows": rows} for name, (rows, total) in shown.items()}
            typer.echo(json.dumps({**result.as_dict(), "views": views}, default=str))
            return
        when = result.as_of
        console.print(
            f"[bold]The read models {when}[/bold] (events applied: "
            f"{result.events_applied:,} of {result.events_total:,})"
        )
        for name, (rows, total) in shown.items():
            console.print(_table(name, rows, total) if rows else f"{name}: no rows")
    finally:
        result.close()


@app.command()
def trail(
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="One entity's id (a need, group, facility, centre, cycle)."),
    ] = None,
    back_dated: Annotated[
        int | None,
        typer.Option(
            "--back-dated",
            min=0,
            help="Only entries that take effect at least this many days before they were recorded.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Entries to show.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Entries to skip.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON.")] = False,
) -> None:
    """The audit trail in order: each event's entity, type, who and why, the business date it
    takes effect and the time it was recorded; a back-dated entry (effective well before it
    was recorded) says by how many days."""
    filters: dict[str, Any] = {"entity_id": entity} if entity else {}
    ranges: dict[str, Any] = {} if back_dated is None else {"back_dated_by": back_dated}
    with open_stack(get_settings(), planning=False) as stack:
        rows, total = stack.projections.query(
            "audit", filters=filters, ranges=ranges, limit=limit, offset=offset
        )
        names = entity_names(stack.projections, rows)
    if as_json:
        typer.echo(json.dumps({"total": total, "items": rows}, default=str))
        return
    table = Table(title=f"Audit trail: {total:,} event(s)" + (
        f", {len(rows)} shown from {offset + 1}" if total > len(rows) else ""))  # fmt: skip
    for column in ("#", "effective on", "recorded at", "back-dated", "entity", "event", "actor",
                   "what and why"):  # fmt: skip
        table.add_column(column, overflow="fold")
    for row in rows:
        days = row["days_back"] or 0
        table.add_row(
            str(row["position"]),
            row["effective_on"] or "",
            (row["at"] or "")[:19].replace("T", " "),
            f"[yellow]{days:,} days[/yellow]" if days > BACK_DATED_DAYS else "",
            names.get(row["entity_id"], row["entity_kind"]),
            row["event_type"],
            row["actor"] or "",
            "; ".join(part for part in (readable(row["summary"]), row["reason"]) if part),
        )
    console.print(table)


# Where an entity's name is read, by its kind: (read model query, id filter, how to name it).
NAMED_BY: dict[str, tuple[str, str, Callable[[dict[str, Any]], str]]] = {
    "TrainingNeed": ("needs", "need_id", lambda r: f"need {r['title']} ({r['group_code']})"),
    "BusinessGroup": ("group_time", "group_id", lambda r: f"group {r['code']}"),
    "Facility": ("facilities", "id", lambda r: f"{r['name']}, {r['site']}"),
    "DeliveryCentreProposal": ("centres", "id", lambda r: f"centre {r['name']}"),
    "PlanningCycle": ("cycles", "cycle_id", lambda r: f"cycle {r['name']}"),
}
UUID_VALUE = re.compile(r"\w+=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(; )?")


def entity_names(projections: Projections, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Each entity of the trail's rows by its name in people's words (the live read models)."""
    names: dict[str, str] = {}
    for row in rows:
        key, kind = row["entity_id"], row["entity_kind"]
        if key in names or kind not in NAMED_BY:
            continue
        query, field, name = NAMED_BY[kind]
        found, _ = projections.query(query, filters={field: key}, limit=1)
        names[key] = name(found[0]) if found else kind
    return names


def readable(summary: str) -> str:
    """What changed, without the internal ids a person cannot read."""
    what = summary.split(": ", 1)[1] if ": " in summary else ""
    return UUID_VALUE.sub("", what).rstrip("; ")


def _table(name: str, rows: list[dict[str, Any]], total: int) -> Table:
    table = Table(
        title=f"{name}: {total:,} row(s)" + (f", first {len(rows)}" if total > len(rows) else "")
    )
    if not rows:
        return table
    columns = [
        c
        for c in rows[0]
        if not isinstance(rows[0][c], dict | list) and c != "id" and not c.endswith("_id")
    ][:9]
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    return table
