"""The event store's tables, the library's events table and the seals table beside it, reached
through their raw drivers (sqlite3, psycopg): the hash chain needs the exact stored bytes, and
a verifier must see them without the library's decoding in between."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import psycopg

from domain import TrainingPlanner
from domain.store import is_postgres, sqlite_path, store_env

SEALS = "event_seals"
FETCH = 5_000  # rows a PostgreSQL server-side cursor fetches at a time
# One constant for pg_advisory_xact_lock: every sealer of every process takes the same lock.
_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"trainplan.event_seals").digest()[:8], "big", signed=True
)


def events_table(url: str) -> str:
    """The eventsourcing library's table of the application's events at `url`: on SQLite always
    `stored_events`; on PostgreSQL `<application name, lower case>_events` (the library's
    factory names it after the application), i.e. `trainingplanner_events`."""
    if is_postgres(url):
        return f"{(TrainingPlanner.name or 'stored').lower()}_events"
    return "stored_events"


class Store:
    """One connection to the event store's database, by its raw driver."""

    events: str  # the table of stored events
    nid: str  # its notification id column
    p: str  # the driver's placeholder

    connection: Any

    def close(self) -> None:
        self.connection.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(sql.replace("?", self.p), params)

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    @contextmanager
    def locked(self) -> Iterator[None]:
        raise NotImplementedError

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        raise NotImplementedError

    def create_seals(self) -> None:
        raise NotImplementedError

    def insert_seals(self, rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def stream(self, sql: str) -> Iterator[tuple[Any, ...]]:
        raise NotImplementedError

    def is_missing_table(self, error: Exception) -> bool:
        raise NotImplementedError


class SQLiteStore(Store):
    nid = "rowid"
    p = "?"

    def __init__(self, url: str, *, readonly: bool) -> None:
        path = sqlite_path(url)
        if path == ":memory:":
            target, uri = "file::memory:?mode=memory&cache=shared", True
        elif readonly:
            target, uri = f"file:{quote(path)}?mode=ro", True
        else:
            target, uri = path, False
        self.events = events_table(url)
        self.connection = sqlite3.connect(target, uri=uri, timeout=30, isolation_level=None)

    def has_table(self, name: str) -> bool:
        row = self.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    @contextmanager
    def locked(self) -> Iterator[None]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        self.connection.execute("BEGIN")  # WAL: one consistent snapshot until the end
        try:
            yield
        finally:
            self.connection.execute("ROLLBACK")

    def create_seals(self) -> None:
        self.connection.execute(
            f"CREATE TABLE IF NOT EXISTS {SEALS} ("
            "notification_id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, event_hash TEXT NOT NULL, "
            "chain_hash TEXT NOT NULL, sealed_at TEXT NOT NULL)"
        )

    def insert_seals(self, rows: list[tuple[Any, ...]]) -> None:
        stamp = rows[0][5].isoformat()  # one sealed_at per batch
        self.connection.executemany(
            f"INSERT INTO {SEALS} VALUES (?, ?, ?, ?, ?, ?)", [(*row[:5], stamp) for row in rows]
        )

    def stream(self, sql: str) -> Iterator[tuple[Any, ...]]:
        yield from self.connection.cursor().execute(sql)  # sqlite3 steps lazily

    def is_missing_table(self, error: Exception) -> bool:
        return isinstance(error, sqlite3.OperationalError) and "no such table" in str(error)


class PostgresStore(Store):
    nid = "notification_id"
    p = "%s"

    def __init__(self, url: str, *, readonly: bool) -> None:
        env = store_env(url)
        self.events = events_table(url)
        self.connection = psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            dbname=env["POSTGRES_DBNAME"],
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
            autocommit=True,
        )
        if readonly:  # verify: every statement of this session is refused a write
            self.connection.execute("SET default_transaction_read_only = on")
        else:  # a seal lost in a crash is made again by the next seal: no need to wait
            self.connection.execute("SET synchronous_commit = off")
        self._cursors = 0

    def has_table(self, name: str) -> bool:
        row = self.execute("SELECT to_regclass(?) IS NOT NULL", (f"public.{name}",)).fetchone()
        return bool(row[0])

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self.connection.transaction():
            self.connection.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        self.connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            self.connection.execute("ROLLBACK")

    def create_seals(self) -> None:
        self.connection.execute(
            f"CREATE TABLE IF NOT EXISTS public.{SEALS} ("
            "notification_id bigint PRIMARY KEY, originator_id text NOT NULL, "
            "originator_version bigint NOT NULL, event_hash text NOT NULL, "
            "chain_hash text NOT NULL, sealed_at timestamptz NOT NULL)"
        )

    def insert_seals(self, rows: list[tuple[Any, ...]]) -> None:
        columns = "notification_id, originator_id, originator_version, event_hash, chain_hash"
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f"COPY public.{SEALS} ({columns}, sealed_at) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def stream(self, sql: str) -> Iterator[tuple[Any, ...]]:
        self._cursors += 1  # a server-side cursor: fetched FETCH rows at a time
        with self.connection.cursor(name=f"trainplan_verify_{self._cursors}") as cursor:
            cursor.itersize = FETCH
            cursor.execute(sql)
            yield from cursor

    def is_missing_table(self, error: Exception) -> bool:
        return isinstance(error, psycopg.errors.UndefinedTable)
