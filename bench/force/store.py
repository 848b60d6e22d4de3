"""The database that holds a history, and its marker for reuse.

A finished history is marked in a table `bench_history` of the same database (events, seed,
generator version, a summary); a database that already holds the requested history (its marker
and its event count agree) is reused rather than made again."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.databases import connect, redact
from bench.force.simulation import History
from domain import TrainingPlanner, store_env
from domain.store import is_postgres, sqlite_path

GENERATOR = "trainplan-history/2"  # change when the history changes: old files are remade
MARKER_TABLE = "bench_history"


def read_marker(url: str) -> dict[str, Any] | None:
    if is_postgres(url):
        try:
            with connect(url) as conn:
                row = conn.execute(
                    f"SELECT value FROM {MARKER_TABLE} WHERE key = 'history'"
                ).fetchone()
        except Exception:
            return None
    else:
        path = Path(sqlite_path(url))
        if not path.exists():
            return None
        with sqlite3.connect(path) as conn:
            try:
                row = conn.execute(
                    f"SELECT value FROM {MARKER_TABLE} WHERE key = 'history'"
                ).fetchone()
            except sqlite3.OperationalError:
                return None
    return json.loads(row[0]) if row else None


def write_marker(url: str, marker: dict[str, Any]) -> None:
    create = f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key TEXT PRIMARY KEY, value TEXT)"
    if is_postgres(url):
        with connect(url) as conn:
            conn.execute(create)
            conn.execute(f"DELETE FROM {MARKER_TABLE} WHERE key = 'history'")
            conn.execute(
                f"INSERT INTO {MARKER_TABLE} VALUES ('history', %s)", (json.dumps(marker),)
            )
    else:
        with sqlite3.connect(sqlite_path(url)) as conn:
            conn.execute(create)
            conn.execute(
                f"INSERT OR REPLACE INTO {MARKER_TABLE} VALUES ('history', ?)",
                (json.dumps(marker),),
            )


def event_count(url: str) -> int:
    if not is_postgres(url) and not Path(sqlite_path(url)).exists():
        return 0
    if is_postgres(url):
        try:
            connect(url).close()
        except Exception:
            return 0
    app = TrainingPlanner(env=store_env(url))
    try:
        return int(app.recorder.max_notification_id() or 0)
    finally:
        app.close()


def wipe(url: str) -> None:
    """Removes the database at `url` (a SQLite file and its views file beside it; a PostgreSQL
    database is dropped and created empty)."""
    if is_postgres(url):
        name = store_env(url)["POSTGRES_DBNAME"]
        with connect(url, "postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return
    path = Path(sqlite_path(url))
    for stem in (path, path.with_name(path.stem + "-views.db")):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{stem}{suffix}").unlink(missing_ok=True)
        for lock in path.parent.glob(f"{path.stem}-views.db.*.lock"):
            lock.unlink(missing_ok=True)


def ensure_database(url: str) -> None:
    if not is_postgres(url):
        return
    name = store_env(url)["POSTGRES_DBNAME"]
    with connect(url, "postgres") as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def wanted_marker(events: int, seed: int) -> dict[str, Any]:
    return {"generator": GENERATOR, "events": events, "seed": seed}


def ensure_history(
    url: str,
    events: int,
    seed: int = 1,
    *,
    batch: int = 5000,
    replace: bool = False,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The history of `events` events for `seed` at `url`: reused if the database already
    holds it (its marker and its event count agree), else made. A database holding anything
    else is replaced only if `replace`."""
    ensure_database(url)
    marker = read_marker(url)
    wanted = wanted_marker(events, seed)
    stored = event_count(url)
    if marker and {k: marker.get(k) for k in wanted} == wanted and stored == events:
        say(f"reusing the history of {events:,} events (seed {seed}) at {redact(url)}")
        return marker
    if stored or marker:
        if not replace:
            raise SystemExit(
                f"{redact(url)} holds {stored:,} events that are not the requested history "
                f"({events:,} events, seed {seed}); pass --replace to remake it"
            )
        say(f"removing the history at {redact(url)} ({stored:,} events, marker {marker})")
        wipe(url)
    say(f"making a history of {events:,} events (seed {seed}) at {redact(url)}")
    planner = TrainingPlanner(env=store_env(url))
    history = History(planner, events, seed, batch=batch, progress=say)
    started = time.perf_counter()
    try:
        history.run()
    finally:
        planner.close()
    elapsed = time.perf_counter() - started
    summary = history.summary()
    marker = {
        **wanted,
        "made_in_seconds": round(elapsed, 1),
        "events_per_second": round(events / elapsed),
        **summary,
    }
    write_marker(url, marker)
    say(
        f"made {events:,} events in {elapsed:,.1f} s: {events / elapsed:,.0f} events/s "
        f"(simulated {summary['last_event_at'][:10]})"
    )
    return marker
