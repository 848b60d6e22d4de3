"""`trainplan audit ...`: the auditors' tools (verify, export, import, replay as of)."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.common import fail
from api.settings import get_settings
from api.stack import open_stack
from domain import TrainingPlanner
from projections import integrity
from projections.queries import QUERIES
from projections.replay import ReplayError
from projections.replay import replay as build
from projections.transfer import ImportRefused, export_events, import_events

app = typer.Typer(help="The auditors' tools: verify, export, import, replay as of a time.")
console = Console()
err = Console(stderr=True)

REPLAY_SHOWS = ("needs", "group_time", "centres", "cycles", "prospectus")


@app.command()
def verify(
    seal_first: Annotated[
        bool, typer.Option("--seal/--no-seal", help="Seal new events before verifying.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Prove that no stored event was changed, removed, inserted or reordered since it was
    sealed. Exits 0 on an untouched store, 1 naming the first bad event otherwise."""
    settings = get_settings()
    url, key = settings.database_url, settings.seal_secret
    if seal_first:
        try:
            integrity.seal(url, key=key)
        except integrity.SealRefused as error:
            console.print(f"[red]TAMPERED: sealing refused: {error}[/red]")
            raise typer.Exit(1) from error
    report = integrity.verify(url, key=key)
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
        typer.Option("--as-of", help="An ISO 8601 time or date, e.g. 2003-06-30T17:00:00Z."),
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
) -> None:
    """Build the read models as they were at a time (or after an event) into a separate
    database and show them. The live read models are not touched."""
    shows = list(view or REPLAY_SHOWS)
    for name in shows:
        if name not in QUERIES:
            console.print(f"[red]--view: unknown read model {name!r}; one of: "
                          f"{', '.join(sorted(QUERIES))}[/red]")  # fmt: skip
            raise typer.Exit(2)
    try:
        result = build(get_settings().database_url, upto=upto, as_of=as_of, into=into)
    except ReplayError as error:
        console.print(f"[red]--{error.field.replace('_', '-')}: {error.rule}[/red]")
        raise typer.Exit(2) from error
    try:
        when = f"as of {result.as_of}" if result.as_of else f"after event {result.position:,}"
        console.print(f"[bold]The read models {when}[/bold] (events applied: {result.position:,})")
        for name in shows:
            rows, total = result.projections.query(name, limit=limit)
            console.print(_table(name, rows, total))
    finally:
        result.close()


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
