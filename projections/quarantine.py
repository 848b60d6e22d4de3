"""Events a read model could not apply, kept aside so that one bad event never stops a read
model, nor the others, and never silently.

**The policy: quarantine and carry on.** When a batch fails to apply (`projections.batches`),
each read model is tried on its own, and one that still fails is narrowed down, by halving the
batch, to the event it cannot apply. That event is recorded here (the read model, the event's
position, its entity and version, its type, the error, when) and the read model's position
moves past it in the same transaction; the read model carries on with the next event. Its rows
then lack what that event would have changed (and a later event of the same entity that needs
it may be quarantined in turn), until the cause is put right and `trainplan projections retry`
applies the quarantined events again, in order, clearing those that now apply and keeping
those that still fail. A retry applies an event after the events that followed it: where a
later event of the same entity did apply in the meantime, a rebuild of the read model gives the
exact rows. A rebuild quarantines the same way.

Errors an event cannot cause (a lost connection, a locked database: see `is_transient`) are
never quarantined: the batch fails as a whole, leaves neither rows nor position behind, and the
next catch-up tries again.

The table lives beside the tracking positions, in the read models' database; it is read by
`trainplan projections status` and the HTTP API's `/health`."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from projections.database import common

ERROR_LENGTH = 2000

quarantined = sa.Table(
    "projection_quarantine",
    common,
    sa.Column("view", sa.String(120), primary_key=True),  # a read model's tracking key
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("originator_id", sa.String(36), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("topic", sa.String(300), nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("quarantined_at", sa.Float, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_tried_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Quarantined:
    """One event a read model could not apply."""

    view: str
    position: int
    originator_id: str
    version: int
    topic: str
    error: str
    quarantined_at: float
    attempts: int
    last_tried_at: float

    @property
    def event_type(self) -> str:
        """`TrainingNeed.Identified` from its topic."""
        return self.topic.rsplit(":", 1)[-1]

    @property
    def since(self) -> str:
        return datetime.fromtimestamp(self.quarantined_at, UTC).isoformat(timespec="seconds")

    def as_dict(self) -> dict[str, Any]:
        return {
            "view": self.view,
            "position": self.position,
            "event_type": self.event_type,
            "entity_id": self.originator_id,
            "version": self.version,
            "error": self.error,
            "since": self.since,
            "attempts": self.attempts,
        }


# --- what may be quarantined ----------------------------------------------------------------

_TRANSIENT: tuple[type[BaseException], ...] = (
    sa.exc.OperationalError,  # SQLite "database is locked", a PostgreSQL server gone away
    sa.exc.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,  # the connection pool
    psycopg.OperationalError,
    sqlite3.OperationalError,
    ConnectionError,
    TimeoutError,
    MemoryError,
)


def is_transient(error: BaseException) -> bool:
    """Whether the error says nothing about the events (the database or the connection failed):
    such a batch is retried whole by the next catch-up, never quarantined."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _TRANSIENT)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def describe(error: BaseException) -> str:
    """The error in one text the table can hold: the driver's own message (never the SQL and
    its parameters, which may hold the very value the database refused), control characters
    escaped, at most ERROR_LENGTH characters."""
    cause: BaseException = error
    if isinstance(error, sa.exc.StatementError) and error.orig is not None:
        cause = error.orig
    message = str(cause).strip() or "(no message)"
    message = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", message)
    text = f"{type(cause).__name__}: {message}"
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


# --- the table ------------------------------------------------------------------------------


def record(conn: Connection, key: str, event: dict[str, Any], error: BaseException) -> None:
    """Records that read model `key` could not apply `event` (inside the caller's transaction,
    which also moves the read model's position past it)."""
    now = time.time()
    conn.execute(
        sa.delete(quarantined).where(
            quarantined.c.view == key, quarantined.c.position == event["id"]
        )
    )
    conn.execute(
        sa.insert(quarantined).values(
            view=key,
            position=event["id"],
            originator_id=str(event["originator_id"]),
            version=int(event["version"]),
            topic=str(event["topic"])[:300],
            error=describe(error),
            quarantined_at=now,
            attempts=1,
            last_tried_at=now,
        )
    )


def still_failing(conn: Connection, key: str, position: int, error: BaseException) -> None:
    """A retry of a quarantined event failed again: its new error, one more attempt."""
    conn.execute(
        sa.update(quarantined)
        .where(quarantined.c.view == key, quarantined.c.position == position)
        .values(
            error=describe(error),
            attempts=quarantined.c.attempts + 1,
            last_tried_at=time.time(),
        )
    )


def clear(conn: Connection, key: str, position: int) -> None:
    conn.execute(
        sa.delete(quarantined).where(quarantined.c.view == key, quarantined.c.position == position)
    )


def entries(bind: Engine | Connection, keys: Iterable[str] | None = None) -> list[Quarantined]:
    """The quarantined events of the read models `keys` (default: all), by read model and
    position."""
    query = sa.select(quarantined).order_by(quarantined.c.view, quarantined.c.position)
    if keys is not None:
        query = query.where(quarantined.c.view.in_(list(keys)))

    def read(conn: Connection) -> list[Quarantined]:
        return [Quarantined(**row._mapping) for row in conn.execute(query)]

    if isinstance(bind, Connection):
        return read(bind)
    with bind.connect() as conn:
        return read(conn)


def move(conn: Connection, source: str, target: str) -> None:
    """A rebuilt read model's quarantine (`source`, its shadow's key) replaces the live one's."""
    conn.execute(sa.delete(quarantined).where(quarantined.c.view == target))
    conn.execute(sa.update(quarantined).where(quarantined.c.view == source).values(view=target))


def forget(conn: Connection, keys: Iterable[str]) -> None:
    """Drops the quarantine of read models that are gone (a failed or stale shadow)."""
    keys = list(keys)
    if keys:
        conn.execute(sa.delete(quarantined).where(quarantined.c.view.in_(keys)))
