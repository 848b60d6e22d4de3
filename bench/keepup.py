"""How long keeping the read models up inside the process costs per command.

The embedded default has no projection process: after every command the API and the CLI call
`Projections.catch_up()` (read the new events once, apply them to every view, one transaction
per view) and then seal the new events (`projections.integrity.seal`). This runs N commands
(identify a training need, one event each) on a SQLite file and on PostgreSQL, timing the
command itself, the catch-up and the seal separately, and prints p50/p99 in milliseconds against
the eventsourcing library's `ProjectionRunner.wait()` poll interval (100 ms), then one JSON line.

    python bench/keepup.py [--commands 300] [--engines sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__":  # run as `python bench/NAME.py`: the repository on the path
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.databases import DEFAULT_PG, postgres_reachable, scratch_database
from domain import TrainingPlanner, store_env
from projections import integrity, open_projections

LIBRARY_POLL_MS = 100.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(url: str, commands: int) -> dict[str, float]:
    planner = TrainingPlanner(env=store_env(url))
    views = open_projections(url)
    try:
        group = planner.register_group(name="Bench", code="BENCH", officers=1, staff=1, actor="b")
        views.catch_up()
        integrity.seal(url)
        timings: dict[str, list[float]] = {"command": [], "catch_up": [], "seal": []}
        for number in range(commands + 20):
            started = time.perf_counter()
            planner.identify_need(group_id=group, title=f"Need {number}", trigger="incident",
                                  actor="b")  # fmt: skip
            commanded = time.perf_counter()
            views.catch_up()
            caught = time.perf_counter()
            integrity.seal(url)
            sealed = time.perf_counter()
            if number >= 20:  # warmed up
                timings["command"].append((commanded - started) * 1000)
                timings["catch_up"].append((caught - commanded) * 1000)
                timings["seal"].append((sealed - caught) * 1000)
        assert views.query("needs")[1] == commands + 20
    finally:
        views.close()
        planner.close()
    result = {}
    for name, values in timings.items():
        result[f"{name}_p50_ms"] = round(statistics.median(values), 2)
        result[f"{name}_p99_ms"] = round(percentile(values, 0.99), 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    figures: dict[str, dict[str, float]] = {}
    for engine in args.engines.split(","):
        if engine == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                figures["sqlite"] = measure(f"sqlite:///{folder}/keepup.db", args.commands)
        elif engine == "postgresql":
            if why := postgres_reachable(args.pg_url):
                print(f"PostgreSQL unreachable ({why}); skipped")
                continue
            with scratch_database(args.pg_url, "trainplan_keepup") as url:
                figures["postgresql"] = measure(url, args.commands)
    print(f"{'engine':<11} {'command p50/p99':>16} {'catch-up p50/p99':>17} {'seal p50/p99':>14}")
    for engine, f in figures.items():
        print(f"{engine:<11} {f['command_p50_ms']:>7.2f} /{f['command_p99_ms']:>6.2f} ms "
              f"{f['catch_up_p50_ms']:>7.2f} /{f['catch_up_p99_ms']:>6.2f} ms "
              f"{f['seal_p50_ms']:>5.2f} /{f['seal_p99_ms']:>5.2f} ms")  # fmt: skip
        print(f"{'':<11} catch-up p50 is {f['catch_up_p50_ms'] / LIBRARY_POLL_MS:.1%} of the "
              f"library's {LIBRARY_POLL_MS:.0f} ms wait() poll")  # fmt: skip
    print(json.dumps({"benchmark": "keepup", "commands": args.commands, **figures}))


if __name__ == "__main__":
    main()
