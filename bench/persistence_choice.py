"""Which of the eventsourcing library's persistence modules should hold the events?

Runs the same command (identify a training need for a group: one load and one save per command)
through
the application on a SQLite file with the library's own SQLite module and with its SQLAlchemy
module, against raw sqlite3 inserting the same number of rows with one commit per row, all in
this run. Prints commands per second, the ratios, and a final JSON line.

    python bench/persistence_choice.py [--commands 2000]

The SQLAlchemy module is an optional extra of this project (`pip install -e ".[bench]"`): only
this comparison uses it."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__":  # run as `python bench/NAME.py`: the repository on the path
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from domain import TrainingPlanner, store_env


def through_application(env: dict[str, str], commands: int) -> float:
    planner = TrainingPlanner(env=env)
    group_id = planner.register_group(name="Bench", code="BENCH", officers=1, staff=1, actor="b")
    started = time.perf_counter()
    for number in range(commands):
        planner.identify_need(
            group_id=group_id, title=f"Need {number}", trigger="incident", actor="b"
        )
    elapsed = time.perf_counter() - started
    planner.close()
    return commands / elapsed


def raw_sqlite(path: Path, commands: int) -> float:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")  # as the library's SQLite module sets it
    connection.execute(
        "CREATE TABLE events (id TEXT, version INTEGER, topic TEXT, state BLOB, "
        "PRIMARY KEY (id, version))"
    )
    state = json.dumps({"title": "Need", "trigger": "incident", "actor": "b"}).encode()
    started = time.perf_counter()
    for number in range(commands):
        connection.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?)",
            (str(number), 1, "TrainingNeed.Identified", state),
        )
        connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
    return commands / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000)
    args = parser.parse_args()
    try:
        import eventsourcing_sqlalchemy  # noqa: F401  (the optional extra)
    except ImportError:
        sys.exit('needs eventsourcing-sqlalchemy: pip install -e ".[bench]"')
    with tempfile.TemporaryDirectory() as folder:
        core = through_application(store_env(f"sqlite:///{folder}/core.db"), args.commands)
        orm = through_application(
            {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
             "SQLALCHEMY_URL": f"sqlite:///{folder}/orm.db"},
            args.commands,
        )  # fmt: skip
        raw = raw_sqlite(Path(folder) / "raw.db", args.commands)
    print(f"core eventsourcing.sqlite module : {core:8.0f} commands/s  ({core / raw:.2f} x raw)")
    print(f"eventsourcing_sqlalchemy module  : {orm:8.0f} commands/s  ({orm / raw:.2f} x raw)")
    print(f"raw sqlite3 (WAL), one commit/row : {raw:8.0f} rows/s")
    print(json.dumps({"commands": args.commands, "core_per_s": round(core), "sqlalchemy_per_s":
                      round(orm), "raw_per_s": round(raw), "core_to_raw": round(core / raw, 3),
                      "sqlalchemy_to_raw": round(orm / raw, 3)}))  # fmt: skip


if __name__ == "__main__":
    main()
