"""The audit trail read model with exactly-once tracking (one transaction per batch).

Each batch of events writes its rows and the view's tracking position in ONE transaction;
an event at or below the tracked position is skipped, so a re-delivered batch changes nothing.
A first piece of the projections package: the other views and the runner guard are not yet
written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from eventsourcing.application import Application

from projections.events import read_events

VIEW = "audit_trail"
metadata = sa.MetaData()
audit_trail = sa.Table(
    VIEW,
    metadata,
    sa.Column("notification_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("entity_id", sa.String(36), nullable=False),
    sa.Column("entity_kind", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("actor", sa.String(128)),
    sa.Column("reason", sa.Text),
    sa.Column("at", sa.String(40)),
    sa.Column("summary", sa.Text, nullable=False),
)
tracking = sa.Table(
    "projection_tracking",
    metadata,
    sa.Column("view", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)
locks = sa.Table(
    "projection_lock",
    metadata,
    sa.Column("view", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(128), nullable=False),
)


class RunnerBusy(RuntimeError):
    """Another runner already drives this view."""


_SKIP = {"timestamp", "originator_topic", "actor", "reason"}


def views_url_for(url: str) -> str:
    """SQLite `x/trainplan.db` -> `x/trainplan-views.db`; PostgreSQL: the same database."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(path.stem + '-views.db')}"
    return url


def _row(e: dict[str, Any]) -> dict[str, Any]:
    s = e["state"]
    entity = s.get("originator_topic", e["topic"]).rsplit(":", 1)[-1].split(".")[0]
    changed = {k: v for k, v in s.items() if k not in _SKIP}
    text = json.dumps(changed, sort_keys=True, default=str)
    return {
        "notification_id": e["id"],
        "entity_id": e["originator_id"],
        "entity_kind": entity,
        "event_type": e["kind"],
        "actor": s.get("actor"),
        "reason": s.get("reason"),
        "at": s.get("timestamp"),
        "summary": f"{entity} {e['kind']}: {text[:200]}",
    }


class AuditTrailView:
    def __init__(self, views_url: str) -> None:
        self.engine = sa.create_engine(views_url)
        metadata.create_all(self.engine)

    def position(self) -> int:
        with self.engine.connect() as c:
            p = c.execute(sa.select(tracking.c.position).where(tracking.c.view == VIEW)).scalar()
        return int(p or 0)

    def apply(self, events: list[dict[str, Any]]) -> int:
        """Apply one batch: rows and tracking in one transaction. Returns events applied."""
        with self.engine.begin() as c:
            p = c.execute(sa.select(tracking.c.position).where(tracking.c.view == VIEW)).scalar()
            known = int(p or 0)
            fresh = [e for e in events if e["id"] > known]
            if not fresh:
                return 0
            c.execute(sa.insert(audit_trail), [_row(e) for e in fresh])
            last = max(e["id"] for e in fresh)
            if p is None:
                c.execute(sa.insert(tracking).values(view=VIEW, position=last))
            else:
                c.execute(sa.update(tracking).where(tracking.c.view == VIEW).values(position=last))
            return len(fresh)

    def catch_up(self, app: Application, batch: int = 10_000) -> int:
        applied = 0
        while True:
            events = read_events(app, after=self.position(), limit=batch)
            if not events:
                return applied
            applied += self.apply(events)

    def rows(self) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            q = sa.select(audit_trail).order_by(audit_trail.c.notification_id)
            return [dict(r._mapping) for r in c.execute(q)]

    def digest(self) -> str:
        """sha256 over every row, in notification order."""
        import hashlib

        h = hashlib.sha256()
        for r in self.rows():
            h.update(json.dumps(r, sort_keys=True, default=str).encode())
        return h.hexdigest()

    def acquire(self, holder: str) -> None:
        """Take the view's lock row; a second runner gets RunnerBusy naming the holder."""
        try:
            with self.engine.begin() as c:
                c.execute(sa.insert(locks).values(view=VIEW, holder=holder))
        except sa.exc.IntegrityError:
            with self.engine.connect() as c:
                who = c.execute(sa.select(locks.c.holder).where(locks.c.view == VIEW)).scalar()
            raise RunnerBusy(f"{VIEW}: already driven by runner {who!r}") from None

    def release(self, holder: str) -> None:
        with self.engine.begin() as c:
            c.execute(sa.delete(locks).where(locks.c.view == VIEW, locks.c.holder == holder))

    def close(self) -> None:
        self.engine.dispose()
