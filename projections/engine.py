"""The projection engine: batched, exactly-once, rebuildable read models.

A read model is a `View`. A view keeps, per entity it follows, a small JSON document (its own
state, in `<view>_docs`), and renders each document into rows of its tables. Events reach a view
in batches read straight from the notification log (`projections.events.read_events`); for each
batch, in ONE transaction, the view

1. reads its tracking position (locked `FOR UPDATE` on PostgreSQL) and skips every event at or
   below it, so a re-delivered batch changes nothing;
2. loads the documents the batch touches (one SELECT per few hundred keys), applies the events
   to them in order, in memory;
3. deletes the rows of every changed document and inserts them afresh (set-based: one DELETE
   ... IN and one multi-row INSERT per table), and moves its tracking position to the batch's
   last event.

This is the pattern of eventsourcing's `eventsourcing.projection` (a view that records its rows
and its tracking position atomically), written for batches: the library's stock runner commits
once per event, which caps a rebuild at a few hundred events a second.

Only one runner drives a view at a time: an exclusive lock per view, held while a batch is
applied (a `flock` on a file beside the SQLite views database; a PostgreSQL session advisory
lock). Both are released by the operating system or the server if the process dies, so a killed
runner never leaves a view locked. A second long-lived runner is refused with `RunnerBusy`
naming the holder.

A rebuild replays every event into shadow tables (`<table>__r<stamp>`) and swaps them in, in one
transaction, when complete: readers never see a half-built model."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

log = logging.getLogger("trainplan.projections")

Event = dict[str, Any]
Doc = dict[str, Any]
Rows = dict[str, list[dict[str, Any]]]

CHUNK = 500  # keys per IN (...) list
SHADOW = "__r"


class UnknownView(ValueError):
    """A projection name that does not exist."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"projection {name!r} does not exist; known: {', '.join(sorted(known))}")
        self.name = name


class RunnerBusy(RuntimeError):
    """Another runner already drives this view."""


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


# --- documents ------------------------------------------------------------------------------


class Docs:
    """The documents of one view, loaded as a batch needs them and written back by the batch.

    `known` (during a rebuild) is the exact set of keys already stored: a key outside it is
    absent without asking the database, and the documents stay cached between batches. A key
    looked up and found absent needs no DELETE when it is first written."""

    def __init__(self, table: sa.Table, *, known: set[str] | None = None) -> None:
        self.table = table
        self.known = known
        self.cache: dict[str, Doc | None] = {}
        self.absent: set[str] = set()  # looked up: not in the database
        self.dirty: set[str] = set()
        self.conn: Connection | None = None

    def prefetch(self, keys: Iterable[str]) -> None:
        wanted = [k for k in set(keys) if k not in self.cache]
        if self.known is not None:
            for key in wanted:
                if key not in self.known:
                    self.cache[key] = None
                    self.absent.add(key)
            wanted = [k for k in wanted if k in self.known]
        for chunk in _chunks(sorted(wanted)):
            assert self.conn is not None
            found = {
                row[0]: row[1]
                for row in self.conn.execute(
                    sa.select(self.table.c.doc_key, self.table.c.state).where(
                        self.table.c.doc_key.in_(chunk)
                    )
                )
            }
            for key in chunk:
                if key in found:
                    self.cache[key] = json.loads(found[key])
                else:
                    self.cache[key] = None
                    self.absent.add(key)

    def get(self, key: str) -> Doc | None:
        if key not in self.cache:
            self.prefetch([key])
        return self.cache[key]

    def put(self, key: str, doc: Doc) -> Doc:
        self.cache[key] = doc
        self.dirty.add(key)
        return doc

    def touch(self, key: str) -> Doc:
        doc = self.get(key)
        if doc is None:
            raise KeyError(key)
        self.dirty.add(key)
        return doc

    def flush(self, conn: Connection) -> tuple[list[str], list[str]]:
        """Writes the changed documents. Returns them, and those of them that were stored
        before (whose rendered rows must be replaced)."""
        keys = sorted(self.dirty)
        stored = [key for key in keys if key not in self.absent]
        for chunk in _chunks(stored):
            conn.execute(sa.delete(self.table).where(self.table.c.doc_key.in_(chunk)))
        rows = [
            {"doc_key": key, "state": dumps(self.cache[key])}
            for key in keys
            if self.cache[key] is not None
        ]
        insert_rows(conn, self.table, rows)
        written = {row["doc_key"] for row in rows}
        self.absent.difference_update(written)
        self.absent.update(key for key in keys if key not in written)
        if self.known is not None:
            self.known.update(written)
            self.known.difference_update(key for key in keys if key not in written)
        self.dirty.clear()
        return keys, stored


# --- views ----------------------------------------------------------------------------------


class View:
    """One read model: its tables, how events change its documents, how a document becomes
    rows. Handlers are methods named `on_<Entity>_<Kind>` (e.g. `on_TrainingNeed_Prioritised`);
    each receives the batch's documents and the event, and returns nothing."""

    name: str = ""
    title: str = ""

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        """The view's visible tables, named with `suffix` (empty, or a shadow's). Every table
        has a `doc_key` column: the rows a document renders carry its key."""
        raise NotImplementedError

    def keys(self, event: Event) -> Iterable[str]:
        """Documents to load before the batch is applied (others load on first use)."""
        return (f"{event['entity']}:{event['originator_id']}",)

    def render(self, key: str, doc: Doc, docs: Docs) -> Rows:
        """The rows of one document, per table name."""
        raise NotImplementedError

    renders_prefixes: tuple[str, ...] = ()
    """The kinds of document that have rows (others are the view's own lookups)."""

    def renders(self, key: str) -> bool:
        return not self.renders_prefixes or key.startswith(self.renders_prefixes)

    def handler(self, event: Event) -> Callable[[Docs, Event], None] | None:
        cache: dict[str, Any] = self.__dict__.setdefault("_handlers", {})
        topic = event["topic"]
        if topic not in cache:
            cache[topic] = getattr(self, f"on_{event['entity']}_{event['kind']}", None)
        handler: Callable[[Docs, Event], None] | None = cache[topic]
        return handler


class AppendView(View):
    """A view that only appends: each event gives its rows (no documents)."""

    def rows(self, event: Event) -> Rows:
        raise NotImplementedError

    def handler(self, event: Event) -> Callable[[Docs, Event], None] | None:
        return None


@dataclass
class Bound:
    """A view bound to its tables (canonical or shadow)."""

    view: View
    suffix: str
    tables: dict[str, sa.Table]
    docs: sa.Table

    @property
    def tracking_key(self) -> str:
        return self.view.name + self.suffix

    @property
    def all_tables(self) -> list[sa.Table]:
        return [self.docs, *self.tables.values()]


def bind(view: View, metadata: sa.MetaData, suffix: str = "") -> Bound:
    tables = view.define(metadata, suffix)
    docs = sa.Table(
        f"{view.name}_docs{suffix}",
        metadata,
        sa.Column("doc_key", sa.String(120), primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
    )
    return Bound(view=view, suffix=suffix, tables=tables, docs=docs)


common = sa.MetaData()
tracking = sa.Table(
    "projection_tracking",
    common,
    sa.Column("view", sa.String(80), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
runners = sa.Table(
    "projection_runners",
    common,
    sa.Column("view", sa.String(80), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("since", sa.Float, nullable=False),
)


def apply_batches(
    conn: Connection,
    bounds: Sequence[Bound],
    events: list[Event],
    docs: dict[str, Docs],
    *,
    defer: bool = False,
) -> int:
    """Applies one batch of events to several views inside the caller's transaction: every
    view's rows and its tracking position commit together. Events at or below a view's tracked
    position are skipped (a re-delivered batch changes nothing). Returns how many event
    applications were made.

    `defer` (a rebuild into shadow tables, which nobody reads): the documents change in memory
    only; `finish` writes them and their rows once, at the end."""
    if not events:
        return 0
    keys = [b.tracking_key for b in bounds]
    tracked = {
        row[0]: row[1]
        for row in conn.execute(
            sa.select(tracking.c.view, tracking.c.position)
            .where(tracking.c.view.in_(keys))
            .with_for_update()
        )
    }
    last = events[-1]["id"]
    applied = 0
    moved: list[str] = []
    for bound in bounds:
        position = int(tracked.get(bound.tracking_key) or 0)
        if last <= position:
            continue
        fresh = [e for e in events if e["id"] > position] if position else events
        _apply(conn, bound, fresh, docs[bound.tracking_key], defer=defer)
        applied += len(fresh)
        moved.append(bound.tracking_key)
    values = {"position": last, "updated_at": time.time()}
    existing = [k for k in moved if k in tracked]
    if existing:
        conn.execute(sa.update(tracking).where(tracking.c.view.in_(existing)).values(**values))
    new = [{"view": k, **values} for k in moved if k not in tracked]
    if new:
        conn.execute(sa.insert(tracking), new)
    return applied


def apply_batch(conn: Connection, bound: Bound, events: list[Event], docs: Docs) -> int:
    """One view's share of `apply_batches`."""
    return apply_batches(conn, [bound], events, {bound.tracking_key: docs})


def finish(conn: Connection, bounds: Sequence[Bound], docs: dict[str, Docs]) -> None:
    """Writes what deferred batches changed: the documents and their rows."""
    for bound in bounds:
        if not isinstance(bound.view, AppendView):
            docs[bound.tracking_key].conn = conn
            _write(conn, bound, docs[bound.tracking_key])


def _apply(conn: Connection, bound: Bound, fresh: list[Event], docs: Docs, *, defer: bool) -> None:
    view = bound.view
    if isinstance(view, AppendView):
        appended: dict[str, list[dict[str, Any]]] = {name: [] for name in bound.tables}
        for event in fresh:
            for name, rows in view.rows(event).items():
                appended[name].extend(rows)
        for name, table in bound.tables.items():
            insert_rows(conn, table, appended[name])
        return
    docs.conn = conn
    work = [(handler, e) for e in fresh if (handler := view.handler(e)) is not None]
    if not work:
        return
    docs.prefetch(k for _, e in work for k in view.keys(e))
    for handler, event in work:
        handler(docs, event)
    if not defer:
        _write(conn, bound, docs)


def _write(conn: Connection, bound: Bound, docs: Docs) -> None:
    view = bound.view
    changed, stored = docs.flush(conn)
    rendered: dict[str, list[dict[str, Any]]] = {name: [] for name in bound.tables}
    for doc_key in changed:
        doc = docs.cache[doc_key]
        if doc is None or not view.renders(doc_key):
            continue
        for name, rows in view.render(doc_key, doc, docs).items():
            rendered[name].extend({**row, "doc_key": doc_key} for row in rows)
    replaced = [key for key in stored if view.renders(key)]
    for name, table in bound.tables.items():
        for chunk in _chunks(replaced):
            conn.execute(sa.delete(table).where(table.c.doc_key.in_(chunk)))
        insert_rows(conn, table, rendered[name])


def insert_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """A multi-row INSERT straight through the driver (SQLAlchemy's per-row parameter
    processing costs more than the insert itself). JSON columns are encoded here, as
    SQLAlchemy's JSON type would; None stays SQL NULL."""
    if not rows:
        return
    columns = [c.name for c in table.columns]
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        from psycopg.types.json import Json

        def encode(value: Any) -> Any:
            return None if value is None else Json(value)

        mark = "%s"
    else:

        def encode(value: Any) -> Any:
            return None if value is None else json.dumps(value)

        mark = "?"
    encoded = [n for n, c in enumerate(columns) if c in json_columns]
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join([mark] * len(columns))})'
    if not encoded:
        values = [tuple(map(row.get, columns)) for row in rows]
    else:
        values = []
        for row in rows:
            record = list(map(row.get, columns))
            for n in encoded:
                record[n] = encode(record[n])
            values.append(tuple(record))
    conn.exec_driver_sql(statement, values)


# --- the views database ---------------------------------------------------------------------


def views_url_for(url: str) -> str:
    """SQLite `x/trainplan.db` -> `x/trainplan-views.db` (one writer per file); PostgreSQL: the
    events' own database."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path in ("", ":memory:"):
            return "sqlite://"
        p = Path(path)
        return f"sqlite:///{p.with_name(p.stem + '-views.db')}"
    return url


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine for the views database. SQLite: WAL (readers never wait for the
    writer), transactional DDL (so a shadow swap is atomic), a busy timeout."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = sa.create_engine(
            "sqlite://" if memory else url,
            poolclass=StaticPool if memory else None,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    # The read models can always be rebuilt from the events, and a commit carries their rows
    # and tracking together: a commit lost in a crash is simply applied again, so it need not
    # wait for the disk (the events' own commits still do).
    return sa.create_engine(
        url,
        pool_size=5,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"options": "-c synchronous_commit=off"},
    )


def _chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- one runner per view --------------------------------------------------------------------


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Locks:
    """The exclusive right to drive each view, for one process. `try_acquire` never waits and
    returns the views it got. SQLite: a `flock` per view on a file beside the views database
    (the files stay open; a lock is one system call). PostgreSQL: session advisory locks, all
    views in one statement, on one connection kept for the purpose. Both are released by the
    system if the process dies. A long-lived runner also records its name (`record=True`), so a
    second one is told who holds the view."""

    def __init__(self, engine: Engine, url: str, views: Iterable[str]) -> None:
        self.engine, self.url = engine, url
        self.views = list(views)
        self._fds: dict[str, int] = {}
        self._conn: Connection | None = None
        self._held: set[str] = set()
        self._mutex = threading.Lock()
        self._memory = url.startswith("sqlite") and self.folder is None

    @property
    def folder(self) -> Path | None:
        if self.url.startswith("sqlite:///") and self.url != "sqlite:///:memory:":
            return Path(self.url.removeprefix("sqlite:///"))
        return None

    def _path(self, view: str) -> Path:
        db = self.folder
        assert db is not None
        return db.with_name(f"{db.name}.{view}.lock")

    def try_acquire(self, views: Iterable[str], holder: str, *, record: bool = False) -> list[str]:
        wanted = [v for v in views if v not in self._held]
        with self._mutex:
            if self._memory:
                got = wanted  # an in-memory database belongs to this process alone
            elif self.engine.dialect.name == "postgresql":
                got = self._pg_try(wanted)
            else:
                got = [v for v in wanted if self._flock(v, holder)]
            self._held.update(got)
        if record and got:
            with self.engine.begin() as c:
                c.execute(sa.delete(runners).where(runners.c.view.in_(got)))
                c.execute(
                    sa.insert(runners),
                    [{"view": v, "holder": holder, "since": time.time()} for v in got],
                )
        return got

    def release(self, views: Iterable[str], *, record: bool = False) -> None:
        mine = [v for v in views if v in self._held]
        if not mine:
            return
        if record:
            with contextlib.suppress(Exception), self.engine.begin() as c:
                c.execute(sa.delete(runners).where(runners.c.view.in_(mine)))
        with self._mutex:
            self._held.difference_update(mine)
            if self._memory:
                return
            if self.engine.dialect.name == "postgresql":
                with contextlib.suppress(Exception):
                    self._lock_conn().execute(
                        sa.text(
                            "SELECT pg_advisory_unlock(k) FROM unnest(CAST(:keys AS bigint[])) k"
                        ),
                        {"keys": [_lock_key(v) for v in mine]},
                    )
            else:
                for view in mine:
                    fd = self._fds[view]
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, 0)
                        fcntl.flock(fd, fcntl.LOCK_UN)

    def holder(self, view: str) -> str:
        if self.folder is not None:
            path = self._path(view)
            text = path.read_text().strip() if path.exists() else ""
            if text:
                return text
        with self.engine.connect() as c:
            who = c.execute(sa.select(runners.c.holder).where(runners.c.view == view)).scalar()
        return str(who or "a catch-up in another process")

    def close(self) -> None:
        self.release(list(self._held))
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def _flock(self, view: str, holder: str) -> bool:
        fd = self._fds.get(view)
        if fd is None:
            fd = self._fds[view] = os.open(self._path(view), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        return True

    def _lock_conn(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    def _pg_try(self, views: list[str]) -> list[str]:
        if not views:
            return []
        keys = {_lock_key(v): v for v in views}
        statement = sa.text(
            "SELECT k, pg_try_advisory_lock(k) FROM unnest(CAST(:keys AS bigint[])) k"
        )
        try:
            rows = self._lock_conn().execute(statement, {"keys": list(keys)}).all()
        except sa.exc.DBAPIError:  # the lock connection was lost (and its locks with it)
            self._held.clear()
            self._conn = None
            rows = self._lock_conn().execute(statement, {"keys": list(keys)}).all()
        return [keys[k] for k, got in rows if got]


def _lock_key(view: str) -> int:
    return zlib.crc32(f"trainplan.projection:{view}".encode()) & 0x7FFFFFFF


# --- progress -------------------------------------------------------------------------------


@dataclass
class Progress:
    view: str
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


def digest_rows(conn: Connection, table: sa.Table) -> tuple[int, str]:
    h = hashlib.sha256()
    order = [c for c in table.primary_key.columns] or list(table.columns)
    count = 0
    result = conn.execution_options(stream_results=True).execute(sa.select(table).order_by(*order))
    for row in result:
        h.update(dumps({k: v for k, v in row._mapping.items() if k != "doc_key"}).encode())
        h.update(b"\n")
        count += 1
    return count, h.hexdigest()
