"""A realistic event history of N events, made through the domain, for the benchmarks.

The force is one the size of the Metropolitan Police: five business groups, their boroughs'
teams and commands raising their own training needs, about 80 facilities and the candidate
delivery centres. Every cycle (the annual L&D plan, April to March) runs the same timetable:
needs identified, analysed, prioritised by the boards and endorsed by the TMB; facilities'
schedules of usage submitted and revised; optimisation runs recorded in the optimiser's output
shape, the prospectus drafted, amended and published (twice), needs delivered and evaluated;
centres proposed and decided; the cycle closed the next summer (see bench/force/).

Every event comes from the real aggregates (their commands run in memory, so every rule
applies) and a publication is made by `TrainingPlanner.publish_prospectus` itself; the events
are saved through `TrainingPlanner.save` in large transactions. Deterministic for a seed.
Exactly N events are stored: the history stops at N (a publication that would not fit in what
is left is not made).

A finished history is marked in a table `bench_history` of the same database (events, seed,
generator version, a summary); a database that already holds the requested history is reused.

    python bench/history.py --events 1000000 --database sqlite:////tmp/h.db [--seed 1]
                            [--batch 5000] [--replace]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __name__ == "__main__":  # run as `python bench/NAME.py`: the repository on the path
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.force.store import ensure_history


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True, help="how many events")
    parser.add_argument(
        "--database",
        required=True,
        help="sqlite:////path/file.db or postgresql+psycopg://USER@HOST:PORT/DB",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=5000, help="events per transaction")
    parser.add_argument(
        "--replace", action="store_true", help="remake the database if it holds another history"
    )
    args = parser.parse_args(argv)
    if args.events < 100:
        parser.error("--events: at least 100")
    marker = ensure_history(
        args.database, args.events, args.seed, batch=args.batch, replace=args.replace
    )
    types = marker.get("event_types", {})
    width = max((len(k) for k in types), default=10)
    for kind, count in sorted(types.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<{width}}  {count:>9,}  {100 * count / marker['events']:5.1f} %")
    print(json.dumps({k: v for k, v in marker.items() if k != "event_types"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
