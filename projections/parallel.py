"""Rebuilding independent read models in parallel processes.

The read models share nothing but the events they read: each keeps its own documents and rows.
So a rebuild of several of them splits them into groups of about equal work (`groups`), and
each group fills its own shadow tables (`<table>__r<stamp>`) in a process of its own, reading
and decoding the events itself; the process that asked for the rebuild waits for them,
catches the shadows up with what was stored meanwhile and swaps them all in, in one
transaction (`projections.runner.Projections.rebuild`).

The processes are started with `spawn` (never `fork`: the server that may ask for a rebuild
runs threads), and report their progress and their end through a queue: a group that fails
says whether the failure says anything about the events (an event a read model cannot apply:
the rebuild then starts again serially, batch by batch, quarantining that event) or not (the
database failed: the rebuild fails as a serial one would)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger("trainplan.projections")

# Relative cost of each read model in a rebuild (CPU time per event, measured with
# bench/rebuild.py --per-view on the bench history); a read model not listed counts 1.
COST = {"audit": 5.0, "needs": 4.0, "group_time": 2.0, "cycles": 2.0, "facilities": 1.5}
PARALLEL_FROM = 200_000  # events: a smaller store is rebuilt in one process by default
POLL = 0.2  # seconds between looks at the processes while none reports


class GroupFailed(Exception):
    """A group of read models could not be rebuilt in its process. `transient`: the failure
    says nothing about the events (the database or the connection failed)."""

    def __init__(self, names: Sequence[str], error: str, *, transient: bool) -> None:
        super().__init__(f"rebuilding {', '.join(names)}: {error}")
        self.transient = transient


@dataclass
class GroupReport:
    """What one process did: its read models, its last position, its time and peak memory."""

    names: list[str]
    position: int = 0
    seconds: float = 0.0
    peak_rss_bytes: int | None = None


def processes_for(count: int, wanted: int | None, events: int) -> int:
    """How many processes rebuild `count` read models from `events` events: `wanted`, else
    the environment's TRAINPLAN_REBUILD_PROCESSES, else one per CPU from PARALLEL_FROM events
    on (below, starting the processes costs more than they save) and one otherwise; never more
    than the read models."""
    if wanted is None:
        text = os.environ.get("TRAINPLAN_REBUILD_PROCESSES", "")
        if text.strip():
            wanted = int(text)
        else:
            wanted = (os.cpu_count() or 1) if events >= PARALLEL_FROM else 1
    return max(1, min(wanted, count))


def groups(names: Sequence[str], processes: int) -> list[list[str]]:
    """`names` split into at most `processes` groups of about equal cost (largest first, each
    to the lightest group), each group in the read models' own order."""
    order = {name: n for n, name in enumerate(names)}
    loads: list[tuple[float, list[str]]] = [(0.0, []) for _ in range(processes)]
    for name in sorted(names, key=lambda n: (-COST.get(n, 1.0), order[n])):
        lightest = min(range(len(loads)), key=lambda i: loads[i][0])
        load, members = loads[lightest]
        loads[lightest] = (load + COST.get(name, 1.0), [*members, name])
    return [sorted(members, key=order.__getitem__) for _, members in loads if members]


def peak_rss() -> int | None:
    """This process's peak resident set size (Linux: VmHWM), in bytes."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def fill_in_processes(
    fill: Callable[..., None],
    events_url: str,
    read_models_url: str,
    split: list[list[str]],
    stamp: str,
    *,
    batch: int,
    report: Callable[[int], None],
) -> list[GroupReport]:
    """Fills the shadow tables of each group of read models in `split` in a process of its
    own, running `fill(events_url, read_models_url, names, stamp, batch, index, out)` (a
    module-level function: `projections.runner.fill_group`), which puts on the queue `out`
    ("progress", index, position, None) after each batch, then ("done", index, position,
    (seconds, peak RSS)) or ("failed", index, error, transient). `report` is called with the
    position every group has reached. Raises GroupFailed (after stopping the other
    processes) if one fails."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    reports = [GroupReport(names) for names in split]
    workers = [
        context.Process(
            target=fill,
            args=(events_url, read_models_url, names, stamp, batch, index, out),
            name=f"trainplan-rebuild-{index}",
            daemon=True,
        )
        for index, names in enumerate(split)
    ]
    for worker in workers:
        worker.start()
    done: set[int] = set()
    try:
        while len(done) < len(workers):
            try:
                kind, index, value, extra = out.get(timeout=POLL)
            except queue.Empty:
                for index, worker in enumerate(workers):
                    if index not in done and not worker.is_alive():
                        raise GroupFailed(
                            split[index],
                            f"its process ended with exit code {worker.exitcode}",
                            transient=True,
                        ) from None
                continue
            if kind == "progress":
                reports[index].position = value
                report(min(r.position for r in reports))
            elif kind == "done":
                reports[index].position = value
                reports[index].seconds, reports[index].peak_rss_bytes = extra
                done.add(index)
                report(min(r.position for r in reports))
            else:
                raise GroupFailed(split[index], value, transient=extra)
    finally:
        for worker in workers:
            if worker.is_alive() and len(done) < len(workers):
                worker.terminate()
            worker.join()
        out.close()
    for r in reports:
        log.info(
            "rebuilt %s in its own process: %.1f s, peak %s MiB",
            ", ".join(r.names),
            r.seconds,
            "?" if r.peak_rss_bytes is None else f"{r.peak_rss_bytes / 2**20:,.0f}",
        )
    return reports
