"""The read models' database: where it is, how to connect to it, the two tables every read
model shares (tracking positions and runners), and the set-based writes and digests the engine
uses on every table.

On SQLite the read models live in a file of their own beside the event store (one writer per
file: `x/trainplan.db` -> `x/trainplan-views.db`); on PostgreSQL in the events' own database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from psycopg.types.json import Json
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from domain.store import pool_budget

CHUNK = 500  # keys per IN (...) list


def read_models_url_for(url: str) -> str:
    """SQLite `x/trainplan.db` -> `x/trainplan-views.db` (one writer per file); PostgreSQL: the
    events' own database."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path in ("", ":memory:"):
            return "sqlite://"
        p = Path(path)
        return f"sqlite:///{p.with_name(p.stem + '-views.db')}"
    return url


def make_engine(url: str, *, immediate: bool = False) -> Engine:
    """A SQLAlchemy engine for the read models' database. SQLite: WAL (readers never wait for
    the writer), transactional DDL (so a shadow swap is atomic), a busy timeout; `immediate`:
    every transaction takes the write lock as it begins (for processes that write at the same
    time: a transaction that would take it later may fail at once rather than wait)."""
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
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # The read models can always be rebuilt from the events, and a commit carries their rows
    # and tracking together: a commit lost in a crash is simply applied again, so it need not
    # wait for the disk (the events' own commits still do).
    kept, overflow = pool_budget()  # the connection budget: see domain/store.py
    return sa.create_engine(
        url,
        pool_size=kept,
        max_overflow=overflow,
        pool_pre_ping=True,
        connect_args={"options": "-c synchronous_commit=off"},
    )


# --- the tables every read model shares ------------------------------------------------------
# (their `view` columns hold a read model's name: the stored schema keeps its first name)

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


# --- writing and digesting rows --------------------------------------------------------------


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def dump_doc(value: Any) -> str:
    """A read model's document as stored (orjson: several times faster than `dumps`; read
    back with any JSON parser). Keys in insertion order; what JSON has no type for as str()."""
    return orjson.dumps(value, default=str, option=_DOC_OPTIONS).decode()


_DOC_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


COPY_FROM = 200  # rows: from here on PostgreSQL takes them by COPY


def insert_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """A multi-row INSERT straight through the driver (SQLAlchemy's per-row parameter
    processing costs more than the insert itself), on PostgreSQL a COPY from COPY_FROM rows
    on. JSON columns are encoded here, as
    SQLAlchemy's JSON type would; None stays SQL NULL."""
    if not rows:
        return
    columns = [c.name for c in table.columns]
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    postgres = conn.dialect.name == "postgresql"
    if postgres:

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
    if postgres and len(values) >= COPY_FROM:
        # COPY: one statement for every row, parsed once (a multi-row INSERT through the
        # driver is one statement per row, pipelined).
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row_values in values:
                copy.write_row(row_values)
        return
    conn.exec_driver_sql(statement, values)


def digest_rows(conn: Connection, table: sa.Table) -> tuple[int, str]:
    """How many rows a table holds and one SHA-256 over them in key order (`doc_key` left
    out: it says which document rendered a row, not what the row is)."""
    h = hashlib.sha256()
    order = [c for c in table.primary_key.columns] or list(table.columns)
    count = 0
    result = conn.execution_options(stream_results=True).execute(sa.select(table).order_by(*order))
    for row in result:
        h.update(dumps({k: v for k, v in row._mapping.items() if k != "doc_key"}).encode())
        h.update(b"\n")
        count += 1
    return count, h.hexdigest()
