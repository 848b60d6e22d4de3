"""`trainplan projections ...`: the read models from the command line (status, retry, rebuild,
run)."""

from __future__ import annotations

import signal
import threading
from typing import Annotated, Protocol

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from api.settings import get_settings
from projections import VIEW_NAMES, RunnerBusy, UnknownView, open_projections
from projections.quarantine import Quarantined

app = typer.Typer(help="The read models: status, rebuild from zero, follow the store.")
console = Console()


class RebuildProgress(Protocol):
    """What the rebuild reports as it goes: events applied so far, of how many. Once every
    event is read, the bar's second line covers writing the rows and swapping them in, until
    the rebuild returns."""

    done: int
    total: int


Names = Annotated[
    list[str] | None,
    typer.Argument(help=f"Projections to act on (default: all): {', '.join(VIEW_NAMES)}."),
]


def _check(names: list[str] | None) -> list[str] | None:
    for name in names or []:
        if name not in VIEW_NAMES:
            console.print(f"[red]NAME: {UnknownView(name, VIEW_NAMES)}[/red]")
            raise typer.Exit(2)
    return names


@app.command()
def status() -> None:
    """Each projection's position against the store's last event, and the events it could not
    apply and carried on past (quarantined: `trainplan projections retry` applies them again
    once the cause is put right)."""
    projections = open_projections(get_settings().database_url)
    try:
        head = projections.head()
        held = projections.quarantined()
        table = Table(title=f"Projections (the store's last event: {head:,})")
        table.add_column("Projection")
        table.add_column("Position", justify="right")
        table.add_column("Behind", justify="right")
        table.add_column("Quarantined", justify="right")
        for name, position in projections.positions().items():
            count = sum(1 for entry in held if entry.view == name)
            table.add_row(name, f"{position:,}", f"{head - position:,}", f"{count:,}")
        console.print(table)
        if held:
            show_quarantined(held, title="Quarantined events (the projection carried on past)")
            console.print(
                "Put the cause right, then `trainplan projections retry` applies them again."
            )
    finally:
        projections.close()


def show_quarantined(entries: list[Quarantined], *, title: str) -> None:
    """One line per event (greppable, never folded): projection, position, type, when, tries,
    the error."""
    console.print(f"[bold]{title}[/bold]")
    for e in entries:
        tries = "1 try" if e.attempts == 1 else f"{e.attempts} tries"
        console.print(
            f"  {e.view}: event {e.position:,} ({e.event_type} v{e.version} of {e.originator_id}),"
            f" quarantined {e.since}, {tries}: {e.error}",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )


@app.command()
def retry(names: Names = None) -> None:
    """Apply the quarantined events of the projections (default: all) again, in order, after
    their cause is put right: those that now apply are cleared, those that still fail stay
    quarantined with their new error (exit 1 if any remain)."""
    names = _check(names)
    projections = open_projections(get_settings().database_url)
    try:
        done = projections.retry(names)
        if not done.cleared and not done.failing:
            console.print("No quarantined events: nothing to retry.")
            return
        if done.cleared:
            show_quarantined(done.cleared, title=f"Cleared: {len(done.cleared):,} now applied")
        if done.failing:
            show_quarantined(done.failing, title=f"Still failing: {len(done.failing):,} kept")
            raise typer.Exit(1)
    finally:
        projections.close()


@app.command()
def rebuild(
    names: Names = None,
    batch: Annotated[int, typer.Option(min=100, max=100_000, help="Events per batch.")] = 10_000,
) -> None:
    """Rebuild projections from zero into shadow tables, swapped in when complete (readers
    never see a half-built model); prints the digest of each rebuilt projection."""
    names = _check(names)
    projections = open_projections(get_settings().database_url)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[count]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[left]}"),
        TimeRemainingColumn(),
    )
    try:
        label = ", ".join(names or VIEW_NAMES)
        with Progress(*columns, console=console) as bar:
            head = max(projections.head(), 1)
            reading = bar.add_task(
                f"Reading events into {label}", total=head, count=f"0/{head:,} events", left="left"
            )
            writing = bar.add_task(
                "Writing the rows and swapping them in",
                total=None,
                count="",
                left="",
                visible=False,
                start=False,
            )

            def show(state: RebuildProgress) -> None:
                bar.update(
                    reading,
                    completed=state.done,
                    total=state.total,
                    count=f"{state.done:,}/{state.total:,} events",
                )
                if state.done >= state.total and not bar.tasks[writing].visible:
                    bar.start_task(writing)  # the events are read: the rows go to disk next
                    bar.update(writing, visible=True)

            positions = projections.rebuild(names, batch=batch, progress=show)
            bar.start_task(writing)
            bar.update(writing, total=1, completed=1, visible=True, count="swapped in")
        digests = projections.digests(names)
        table = Table(title="Rebuilt")
        for column in ("Projection", "Position", "Digest (SHA-256 of every row)"):
            table.add_column(column)
        for name, position in positions.items():
            table.add_row(name, f"{position:,}", digests[name])
        console.print(table)
        held = projections.quarantined(names)
        if held:
            show_quarantined(held, title="Quarantined (the rebuild carried on past them)")
    except RunnerBusy as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    finally:
        projections.close()


@app.command()
def run(
    names: Names = None,
    poll: Annotated[
        float, typer.Option(min=0.05, max=60, help="Seconds between polls (SQLite).")
    ] = 0.5,
) -> None:
    """Follow the store as its own process and keep the projections up to date (on
    PostgreSQL woken by LISTEN/NOTIFY). Only one runner may drive a projection at a time."""
    names = _check(names)
    settings = get_settings()
    projections = open_projections(settings.database_url)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    console.print(
        f"Following {settings.database_url} for {', '.join(names or VIEW_NAMES)} (Ctrl-C stops)"
    )
    try:
        projections.follow(
            stop,
            names=names,
            poll=poll,
            on_batch=lambda n: console.print(f"applied {n:,} event(s) across the projections"),
        )
    except RunnerBusy as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    finally:
        projections.close()
