"""How fast are the read models rebuilt from zero, against the raw rate of reading the events?

For each history size (made by bench/history.py through the domain, seeded, reused when the
database already holds it) and each engine, in the same run and the same process:

* select only: the SELECT that `read_events` makes (`projections.events._select`, else the
  recorder's `select_notifications`) over the whole log in batches of 10,000, no decoding (it
  also warms the page cache for what follows);
* raw: `projections.events.read_events` in batches of 10,000 (SELECT and JSON decode of every
  notification, no view work): the ceiling for a rebuild;
* rebuild: `Projections.rebuild()` of every view (shadow tables, swap; in `--processes`
  processes, default the rebuild's own choice), and again to check that
  it is deterministic (every view's digest equal after the second rebuild), and each view
  alone (`rebuild([name])`; its digest must equal the one of the full rebuild);
* memory: the peak resident set size of each rebuild above the RSS it started from (Linux: the
  high-water mark VmHWM is reset through /proc/self/clear_refs before each rebuild, after
  gc.collect() and malloc_trim; elsewhere the ru_maxrss delta, which only shows growth past the
  process's earlier peak); a parallel rebuild adds each of its processes' peak resident set
  (VmHWM), as they ran at the same time. `--tracemalloc` adds one more rebuild under
  tracemalloc for the Python heap's peak (slow: not timed).

Events/s is the history's events over the wall-clock time; CPU seconds (this process and a
parallel rebuild's processes: on PostgreSQL the server's work is not in them) and the load
average are printed too, because other work on a shared machine changes the wall-clock
figures. The target (the issue's): a
million events rebuilt in under 30 s on SQLite, that is >= 40,000 events/s. Prints a table,
whether the target is met, and a final JSON line.

    python bench/rebuild.py [--events 100000,1000000] [--database-dir /tmp/trainplan-bench]
                            [--engines sqlite[,postgresql]] [--seed 1] [--processes N]
                            [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                            [--no-per-view] [--tracemalloc] [--profile /tmp/rebuild.prof]

Profile a rebuild with `--profile PATH` (one more full rebuild of the smallest history under
cProfile; the top functions are printed) or with `python -m cProfile -o PATH bench/rebuild.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

if __name__ == "__main__":  # run as `python bench/NAME.py`: the repository on the path
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.databases import connect, redact
from bench.force.store import ensure_history
from bench.machine import PeakMemory, trim
from domain import TrainingPlanner, store_env
from projections import VIEW_NAMES, Projections
from projections import events as events_module
from projections.events import read_events

TARGET_EVENTS = 1_000_000
TARGET_SECONDS = 30.0
ISSUE_RATE = 40_000  # the issue's figure (30 s for a million would be 33,333/s)
BATCH = 10_000
ENGINES = ("sqlite", "postgresql")
MiB = 1024 * 1024


# --- one measurement ------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    events: int
    seconds: float
    cpu: float
    peak_bytes: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def cpu_seconds() -> float:
    """CPU time of this process and of its child processes that have ended (a parallel
    rebuild's)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@contextlib.contextmanager
def timed() -> Iterator[dict[str, float]]:
    out: dict[str, float] = {}
    wall, cpu = time.perf_counter(), cpu_seconds()
    try:
        yield out
    finally:
        out["seconds"] = time.perf_counter() - wall
        out["cpu"] = cpu_seconds() - cpu


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def progress_printer(label: str, total: int) -> Callable[[Any], None]:
    """Prints a rebuild's progress about every tenth of the way (to stderr)."""
    step = max(total // 10, BATCH)
    state = {"next": step, "started": time.perf_counter(), "last": 0, "at": time.perf_counter()}

    def report(progress: Any) -> None:
        if progress.done >= state["next"] or progress.done >= total:
            now = time.perf_counter()
            recent = (progress.done - state["last"]) / max(now - state["at"], 1e-9)
            say(
                f"    {label}: {progress.done:>9,} / {total:,}  {progress.rate:>8,.0f} events/s "
                f"(last stretch {recent:,.0f}/s)"
            )
            state.update(next=progress.done + step, last=progress.done, at=now)

    return report


class Bench:
    def __init__(
        self,
        url: str,
        events: int,
        *,
        per_view: bool,
        memory: PeakMemory,
        processes: int | None = None,
    ) -> None:
        self.url = url
        self.processes = processes
        self.events = events
        self.per_view = per_view
        self.memory = memory
        self.phases: list[Phase] = []
        self.facts: dict[str, Any] = {}

    def run(self, profile: str | None, use_tracemalloc: bool) -> None:
        reader = TrainingPlanner(env=store_env(self.url))
        head = int(reader.recorder.max_notification_id() or 0)
        if head != self.events:
            raise SystemExit(f"{self.url}: {head:,} events stored, expected {self.events:,}")
        try:
            self.select_only(reader)
            self.raw(reader)
        finally:
            reader.close()
        self.facts["store_bytes"] = store_size(self.url)
        projections = Projections(self.url)
        try:
            first = self.rebuild(projections, "rebuild all views", None)
            with timed() as t:
                digests = projections.digests()
            self.facts["digest_seconds"] = round(t["seconds"], 1)
            self.facts["rows"] = projections.counts()
            self.facts["views_bytes"] = views_size(projections)
            alone: dict[str, str] = {}
            if self.per_view:
                for name in VIEW_NAMES:
                    self.rebuild(projections, f"rebuild {name} alone", [name])
                    alone.update(projections.digests([name]))
            self.rebuild(projections, "rebuild all views again", None)
            again = projections.digests()
            self.facts["deterministic"] = again == digests
            self.facts["alone_equals_all"] = (alone == digests) if alone else None
            self.facts["digests"] = digests
            if not self.facts["deterministic"]:
                self.facts["digests_differ"] = [n for n in digests if digests[n] != again[n]]
            if alone and alone != digests:
                self.facts["alone_differs"] = [n for n in digests if digests[n] != alone[n]]
            self.facts["first_rebuild_seconds"] = round(first.seconds, 2)
            if use_tracemalloc:
                self.facts["tracemalloc_peak_bytes"] = traced_peak(projections)
            if profile:
                self.facts["profile"] = profile_rebuild(projections, profile)
        finally:
            projections.close()

    def record(
        self, name: str, t: dict[str, float], peak: int | None = None, **extra: Any
    ) -> Phase:
        phase = Phase(name, self.events, t["seconds"], t["cpu"], peak, extra)
        self.phases.append(phase)
        peak_text = f", peak +{peak / MiB:,.0f} MiB" if peak is not None else ""
        say(
            f"  {name}: {phase.seconds:,.2f} s, {phase.rate:,.0f} events/s "
            f"(cpu {phase.cpu:,.1f} s{peak_text})"
        )
        return phase

    def select_only(self, reader: TrainingPlanner) -> None:
        """The SELECT that read_events makes, without decoding: projections.events._select
        where it exists, else the recorder's select_notifications."""
        select = getattr(events_module, "_select", None)
        recorder: Any = reader.recorder

        def fetch(after: int) -> list[tuple[int, Any]]:
            if select is not None:
                return [(row[0], row[4]) for row in select(reader, after, BATCH, None)]
            return [(n.id, n.state) for n in recorder.select_notifications(after + 1, BATCH)]

        count, after, state_bytes = 0, 0, 0
        with timed() as t:
            while True:
                rows = fetch(after)
                if not rows:
                    break
                count += len(rows)
                state_bytes += sum(len(state) for _, state in rows)
                after = rows[-1][0]
                if len(rows) < BATCH:
                    break
        assert count == self.events, (count, self.events)
        self.facts["state_bytes"] = state_bytes
        self.record("select only (SQL, no decode)", t)

    def raw(self, reader: TrainingPlanner) -> None:
        count, after = 0, 0
        with timed() as t:
            while True:
                events = read_events(reader, after=after, limit=BATCH)
                if not events:
                    break
                count += len(events)
                after = events[-1]["id"]
                if len(events) < BATCH:
                    break
        assert count == self.events, (count, self.events)
        self.record("raw (select + decode)", t)

    def rebuild(self, projections: Projections, name: str, names: list[str] | None) -> Phase:
        self.memory.start()
        label = name.removeprefix("rebuild ")
        with timed() as t:
            positions = projections.rebuild(
                names,
                batch=BATCH,
                progress=progress_printer(label, self.events),
                processes=self.processes,
            )
        peak = self.memory.peak()
        if any(p != self.events for p in positions.values()):
            raise SystemExit(f"{name}: views stopped at {positions}, not {self.events}")
        # A parallel rebuild's processes hold the documents: their peaks (each its whole
        # resident set) add to this process's growth, as they ran at the same time.
        workers = [
            {"read_models": r.names, "seconds": round(r.seconds, 2),
             "peak_rss_mib": None if r.peak_rss_bytes is None else round(r.peak_rss_bytes / MiB, 1)}
            for r in projections.last_rebuild
        ]  # fmt: skip
        if peak is not None and workers:
            peak += sum(r.peak_rss_bytes or 0 for r in projections.last_rebuild)
        return self.record(name, t, peak, processes=max(1, len(workers)), workers=workers)

    def rate_of(self, name: str) -> float:
        return next(p.rate for p in self.phases if p.name == name)


def traced_peak(projections: Projections) -> int:
    import tracemalloc

    say("  tracemalloc: one more full rebuild (slow, not timed)")
    trim()
    tracemalloc.start()
    try:
        projections.rebuild(batch=BATCH)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def profile_rebuild(projections: Projections, path: str) -> str:
    import cProfile

    say(f"  cProfile: one more full rebuild, stats in {path}")
    profiler = cProfile.Profile(time.process_time)  # CPU time: other work does not count
    profiler.enable()
    try:
        projections.rebuild(batch=BATCH)
    finally:
        profiler.disable()
    profiler.dump_stats(path)
    for order in ("cumulative", "tottime"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(30)
        lines = text.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print(f"\nprofile of a full rebuild, top 30 by {order}:")
        print("\n".join(line[:160] for line in lines[start:] if line.strip()))
    return path


# --- sizes, databases, the code measured ----------------------------------------------------


def store_size(url: str) -> int | None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
    return pg_size(url)


def views_size(projections: Projections) -> int | None:
    url = projections.views_url
    if url.startswith("sqlite:///"):
        return store_size(url)
    return None


def pg_size(url: str) -> int | None:
    try:
        with connect(url) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            return int(row[0]) if row else None
    except Exception:
        return None


def history_url(engine: str, events: int, seed: int, directory: Path, pg_url: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{directory.resolve()}/history-{events}-seed{seed}.db"
    parts = urlsplit(pg_url)
    return urlunsplit(parts._replace(path=f"/trainplan_bench_{events}_s{seed}"))


def fresh_views(url: str) -> None:
    """A SQLite store's views file is removed, so the first rebuild starts from nothing (on
    PostgreSQL the views share the store's database; the rebuild replaces them)."""
    if not url.startswith("sqlite:///"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    views = path.with_name(path.stem + "-views.db")
    for candidate in path.parent.glob(views.name + "*"):
        candidate.unlink(missing_ok=True)


def code_version() -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "projections_modified": bool(git("status", "--porcelain", "--", "projections")),
    }


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# --- the report -----------------------------------------------------------------------------


def table(results: list[dict[str, Any]]) -> str:
    header = (
        f"{'engine':<10} {'events':>9}  {'phase':<34} {'seconds':>9} {'cpu s':>8} "
        f"{'events/s':>10} {'/ raw':>6} {'peak MiB':>9}"
    )
    lines = [header, "-" * len(header)]
    for result in results:
        raw = result["raw_events_per_second"]
        for phase in result["phases"]:
            peak = phase["peak_rss_mib"]
            lines.append(
                f"{result['engine']:<10} {result['events']:>9,}  {phase['name']:<34} "
                f"{phase['seconds']:>9,.2f} {phase['cpu_seconds']:>8,.1f} "
                f"{phase['events_per_second']:>10,.0f} "
                f"{phase['events_per_second'] / raw:>6.2f} "
                f"{'' if peak is None else f'{peak:,.0f}':>9}"
            )
    return "\n".join(lines)


def summarise(
    engine: str, bench: Bench, generated: dict[str, Any], memory: PeakMemory
) -> dict[str, Any]:
    raw = bench.rate_of("raw (select + decode)")
    rebuild = bench.rate_of("rebuild all views")
    again = bench.rate_of("rebuild all views again")
    per_view = {
        name: round(bench.rate_of(f"rebuild {name} alone"))
        for name in VIEW_NAMES
        if any(p.name == f"rebuild {name} alone" for p in bench.phases)
    }
    first = next(p for p in bench.phases if p.name == "rebuild all views")
    peak = first.peak_bytes
    facts = bench.facts
    return {
        "engine": engine,
        "events": bench.events,
        "history": {
            k: generated.get(k)
            for k in ("seed", "generator", "last_event_at", "made_in_seconds", "events_per_second")
        },
        "store_mib": round((facts.get("store_bytes") or 0) / MiB, 1),
        "state_mib": round(facts["state_bytes"] / MiB, 1),
        "views_mib": None
        if facts.get("views_bytes") is None
        else round(facts["views_bytes"] / MiB, 1),
        "select_events_per_second": round(bench.rate_of("select only (SQL, no decode)")),
        "raw_events_per_second": round(raw),
        "rebuild_events_per_second": round(rebuild),
        "rebuild_seconds": facts["first_rebuild_seconds"],
        "rebuild_again_events_per_second": round(again),
        "rebuild_over_raw": round(rebuild / raw, 3),
        "rebuild_events_per_cpu_second": round(first.events / first.cpu) if first.cpu else None,
        "per_view_events_per_second": per_view,
        "rebuild_peak_rss_mib": round((peak or 0) / MiB, 1),
        "memory_measure": memory.method,
        "tracemalloc_peak_mib": round(facts["tracemalloc_peak_bytes"] / MiB, 1)
        if "tracemalloc_peak_bytes" in facts
        else None,
        "deterministic": facts["deterministic"],
        "each_view_alone_equals_all": facts["alone_equals_all"],
        "digest_seconds": facts["digest_seconds"],
        "digests": {name: digest[:16] for name, digest in facts["digests"].items()},
        "rows": facts["rows"],
        "phases": [
            {
                "name": p.name,
                "seconds": round(p.seconds, 3),
                "cpu_seconds": round(p.cpu, 2),
                "events_per_second": round(p.rate),
                "events_per_cpu_second": round(p.events / p.cpu) if p.cpu else None,
                "peak_rss_mib": None if p.peak_bytes is None else round(p.peak_bytes / MiB, 1),
                **p.extra,
            }
            for p in bench.phases
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events",
        default="100000,1000000",
        help="history sizes, comma-separated (default 100000,1000000)",
    )
    parser.add_argument(
        "--database-dir",
        default="/tmp/trainplan-bench",
        type=Path,
        help="where the SQLite histories live (default /tmp/trainplan-bench)",
    )
    parser.add_argument("--engines", default="sqlite", help="sqlite and/or postgresql")
    parser.add_argument(
        "--pg-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="server for the PostgreSQL histories (one database per history)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="processes a rebuild uses (default: the rebuild's own choice, one per CPU from "
        "200,000 events on)",
    )
    parser.add_argument(
        "--no-per-view",
        dest="per_view",
        action="store_false",
        help="skip rebuilding each view alone",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="one more rebuild under tracemalloc for the Python heap's peak",
    )
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="one more full rebuild of the smallest history under cProfile",
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(n.replace("_", "")) for n in args.events.split(",") if n.strip())
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for engine in engines:
        if engine not in ENGINES:
            parser.error(f"--engines: {engine!r} is not one of {', '.join(ENGINES)}")
    memory = PeakMemory()
    started = time.perf_counter()
    report: dict[str, Any] = {
        "bench": "rebuild",
        "machine": machine(),
        "code": code_version(),
        "batch": BATCH,
        "processes": args.processes,
        "results": [],
    }
    for engine in engines:
        for events in sizes:
            url = history_url(engine, events, args.seed, args.database_dir, args.pg_url)
            say(f"{engine}, {events:,} events: {redact(url)}")
            generated = ensure_history(url, events, args.seed, replace=True, say=say)
            fresh_views(url)
            bench = Bench(
                url, events, per_view=args.per_view, memory=memory, processes=args.processes
            )
            profile = args.profile if args.profile and events == sizes[0] else None
            bench.run(profile, args.tracemalloc)
            report["results"].append(summarise(engine, bench, generated, memory))
    report["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["seconds"] = round(time.perf_counter() - started, 1)
    results = report["results"]
    print()
    print(table(results))
    print()
    for r in results:
        alone = r["each_view_alone_equals_all"]
        print(
            f"{r['engine']} {r['events']:,} events: rebuild / raw = {r['rebuild_over_raw']:.3f} "
            f"(rebuild {r['rebuild_events_per_cpu_second']:,} events per CPU-second); "
            f"deterministic (digests equal after a second rebuild): "
            f"{'yes' if r['deterministic'] else 'NO'}"
            + (
                ""
                if alone is None
                else f"; each view alone = all together: {'yes' if alone else 'NO'}"
            )
        )
    print(f"memory: {memory.method}")
    target = [r for r in results if r["engine"] == "sqlite" and r["events"] >= TARGET_EVENTS]
    if target:
        r = target[0]
        met = r["rebuild_events_per_second"] >= ISSUE_RATE
        print(
            f"target (issue): 1,000,000 events rebuilt in under 30 s on SQLite "
            f"(>= {ISSUE_RATE:,} events/s): {'MET' if met else 'NOT MET'} - "
            f"{r['events']:,} events in {r['rebuild_seconds']:,.1f} s = "
            f"{r['rebuild_events_per_second']:,} events/s on {os.cpu_count()} CPUs "
            f"(load average {report['machine']['loadavg_at_start']} at start, "
            f"{report['machine']['loadavg_at_end']} at end)"
        )
        report["target"] = {
            "events": TARGET_EVENTS,
            "seconds": TARGET_SECONDS,
            "events_per_second": ISSUE_RATE,
            "met": met,
        }
    else:
        print("target (issue): not measured (needs --engines sqlite with --events 1000000)")
    print(json.dumps(report, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
