"""The business dates people read: the day a step took effect (its `effective_on`), beside the
time the store recorded it. The read models keep the recording time of a need's identification,
a decision or a publication; the audit trail keeps every event's business date, so a page asks
it for the steps it shows (one query for a page of rows)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from api.files.prospectus import every_row
from projections import QUERIES, Projections
from projections.queries import table_of

DECISIONS = ("Prioritised", "Endorsed", "Rejected", "Withdrawn")
CHUNK = 500  # ids per query (SQLite's bound-parameter limit is far above it)


def business_dates(
    projections: Projections, entity_ids: Iterable[str], event_types: Iterable[str]
) -> dict[str, dict[str, dict[str, Any]]]:
    """For each entity, its latest event of each type: `effective_on`, `at` (recorded) and
    `days_back` (how many days the recording lies after the business date)."""
    ids, types = sorted(set(entity_ids)), sorted(set(event_types))
    table = table_of(projections, QUERIES["audit"])
    found: dict[str, dict[str, dict[str, Any]]] = {}
    with projections.engine.connect() as conn:
        for start in range(0, len(ids), CHUNK):
            rows = conn.execute(
                sa.select(table.c.entity_id, table.c.event_type, table.c.effective_on,
                          table.c.at, table.c.days_back)
                .where(table.c.entity_id.in_(ids[start : start + CHUNK]),
                       table.c.event_type.in_(types))
                .order_by(table.c.position)
            ).mappings()  # fmt: skip
            for row in rows:
                found.setdefault(row["entity_id"], {})[row["event_type"]] = {
                    "effective_on": row["effective_on"],
                    "at": row["at"],
                    "days_back": row["days_back"],
                }
    return found


def latest(
    projections: Projections, entity_id: str, event_types: Iterable[str]
) -> dict[str, Any] | None:
    """The dates of an entity's latest event of any of these types (None: it has none)."""
    table = table_of(projections, QUERIES["audit"])
    with projections.engine.connect() as conn:
        row = (
            conn.execute(
                sa.select(table.c.effective_on, table.c.at, table.c.days_back)
                .where(table.c.entity_id == entity_id, table.c.event_type.in_(list(event_types)))
                .order_by(table.c.position.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def published(projections: Projections, cycle: dict[str, Any] | None) -> dict[str, Any] | None:
    """When the cycle's prospectus was last published: its business date and its recording."""
    if not cycle or not cycle.get("published_at"):
        return None
    return latest(projections, cycle["cycle_id"], ("ProspectusPublished",))


def runs_started(projections: Projections, cycle_id: str, runs: Iterable[dict[str, Any]]) -> None:
    """Gives each run of the cycle `started`: the dates of its start (a run's `started_at` is
    its start's recording time, which the audit trail keeps beside the business date)."""
    found = every_row(projections, "audit",
                      {"entity_id": cycle_id, "event_type": "OptimisationRunStarted"})  # fmt: skip
    by_time = {row["at"]: row for row in found}
    for run in runs:
        run["started"] = by_time.get(run.get("started_at"))
