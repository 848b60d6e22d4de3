"""`trainplan worker`: solves the optimisation runs waiting on the store's run queue, away from
the API processes (mounted on the root CLI by `api.cli.main`).

Each worker takes the oldest queued run (on PostgreSQL with `SELECT ... FOR UPDATE SKIP
LOCKED`, so several workers on several machines never take the same one), solves it, writes
its progress and heartbeat to the job row every half second, and records the run and its draft
prospectus as events, as the server would. It also marks interrupted the runs of workers that
stopped heartbeating. Ctrl-C or SIGTERM stops it: a run it is solving keeps (records) the best
allocation found so far, as a cancelled run does."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from api.cli.common import settings as current_settings
from api.stack import open_stack


def worker(
    runs: Annotated[
        int,
        typer.Option(
            "--runs",
            min=1,
            max=16,
            help="How many runs this process solves at once (each uses the solver workers "
            "its run asked for, 2 by default).",
        ),
    ] = 1,
    once: Annotated[
        bool,
        typer.Option("--once", help="Solve what is queued now, then stop (for scripts)."),
    ] = False,
) -> None:
    """Solve queued optimisation runs (started by the API or the web pages) in this process.
    Start as many as the machines allow; set TRAINPLAN_RUN_WORKERS=0 on the servers so that
    only these solve."""
    settings = current_settings()
    stop = threading.Event()

    def stopping(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, stopping)
    stack = open_stack(settings)
    try:
        planning = stack.planning
        if planning is None:  # pragma: no cover - opened with its planning service
            raise RuntimeError("the stack was opened without its planning service")
        typer.echo(
            f"trainplan worker {planning.name}: solving {runs} run(s) at once from the queue "
            f"(stale after {settings.run_stale_seconds:g} s)",
            err=True,
        )
        if once:
            planning.work(until=lambda: planning.queue.counts().get("queued", 0) == 0)
            return
        planning.start_workers(runs)
        try:
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        typer.echo("trainplan worker: stopping", err=True)
    finally:
        stack.close()
        signal.signal(signal.SIGTERM, previous)
