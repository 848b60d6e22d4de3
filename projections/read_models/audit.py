"""The audit trail: every event in order with its entity, type, actor, reason, both of its
dates and a readable summary of what changed. Append-only: a row per event there is, keyed by
its position.

Each row has the time the store recorded the event (`at`), the business date it takes effect
(`effective_on`) and how many days the second lies before the first (`days_back`): an entry
made today about a decision of last spring is back-dated, and shows it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from domain.dated import effective_on_of, recorded_day
from projections.read_model import AppendOnlyReadModel, Event, Rows

HIDDEN = {"timestamp", "effective_on", "originator_topic", "actor", "reason", "class_version"}


def summarise(value: Any, width: int = 60) -> str:
    if isinstance(value, dict):
        if set(value) >= {"sessions"} and isinstance(value["sessions"], list):
            return f"{len(value['sessions'])} sessions"
        return "{" + ", ".join(f"{k}={summarise(v, 30)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        if len(value) > 3 or any(isinstance(v, dict | list) for v in value):
            return f"{len(value)} items"
        return "[" + ", ".join(summarise(v, 30) for v in value) + "]"
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def summary(event: Event) -> str:
    changed = {k: v for k, v in event["state"].items() if k not in HIDDEN}
    parts = [f"{k}={summarise(v)}" for k, v in changed.items()]
    text = f"{event['entity']} {event['kind']}" + (": " + "; ".join(parts) if parts else "")
    return text if len(text) <= 1000 else text[:999] + "…"


class AuditTrail(AppendOnlyReadModel):
    name = "audit"
    title = "Audit trail"

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        t = sa.Table(
            f"audit_trail{suffix}",
            metadata,
            sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("entity_id", sa.String(36), nullable=False),
            sa.Column("entity_kind", sa.String(64), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("event_type", sa.String(64), nullable=False),
            sa.Column("actor", sa.String(128)),
            sa.Column("reason", sa.Text),
            sa.Column("at", sa.String(40)),
            sa.Column("effective_on", sa.String(10)),
            sa.Column("days_back", sa.Integer),
            sa.Column("summary", sa.Text, nullable=False),
            sa.Index(f"ix_audit_trail{suffix}_entity", "entity_id", "position"),
            sa.Index(f"ix_audit_trail{suffix}_actor", "actor", "position"),
        )
        return {"audit_trail": t}

    def rows(self, event: Event) -> Rows:
        s = event["state"]
        effective_on, days_back = s.get("effective_on"), None
        if s.get("timestamp"):
            effective_on = effective_on_of(s)
            recorded_on = date.fromisoformat(recorded_day(datetime.fromisoformat(s["timestamp"])))
            days_back = (recorded_on - date.fromisoformat(effective_on)).days
        return {
            "audit_trail": [
                {
                    "position": event["id"],
                    "entity_id": event["originator_id"],
                    "entity_kind": event["entity"],
                    "version": event["version"],
                    "event_type": event["kind"],
                    "actor": s.get("actor"),
                    "reason": s.get("reason"),
                    "at": s.get("timestamp"),
                    "effective_on": effective_on,
                    "days_back": days_back,
                    "summary": summary(event),
                }
            ]
        }
