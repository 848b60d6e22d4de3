"""Applying a batch of events to read models, exactly once.

Events reach the read models in batches read straight from the notification log
(`projections.events.read_events`); for each batch, in ONE transaction, each read model

1. reads its tracking position (locked `FOR UPDATE` on PostgreSQL) and skips every event at or
   below it, so a re-delivered batch changes nothing;
2. loads the documents the batch touches (one SELECT per few hundred keys), applies the events
   to them in order, in memory;
3. deletes the rows of every changed document and inserts them afresh (set-based: one DELETE
   ... IN and one multi-row INSERT per table), and moves its tracking position to the batch's
   last event.

This is the pattern of eventsourcing's `eventsourcing.projection` (a read model that records
its rows and its tracking position atomically), written for batches: the library's stock runner
commits once per event, which caps a rebuild at a few hundred events a second."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from projections.database import chunks, insert_rows, tracking
from projections.read_model import AppendOnlyReadModel, Bound, Docs, Event


def apply_batches(
    conn: Connection,
    bounds: Sequence[Bound],
    events: list[Event],
    docs: dict[str, Docs],
    *,
    defer: bool = False,
) -> int:
    """Applies one batch of events to several read models inside the caller's transaction:
    every read model's rows and its tracking position commit together. Events at or below a
    read model's tracked position are skipped (a re-delivered batch changes nothing). Returns
    how many event applications were made.

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
    """One read model's share of `apply_batches`."""
    return apply_batches(conn, [bound], events, {bound.tracking_key: docs})


def finish(conn: Connection, bounds: Sequence[Bound], docs: dict[str, Docs]) -> None:
    """Writes what deferred batches changed: the documents and their rows."""
    for bound in bounds:
        if not isinstance(bound.read_model, AppendOnlyReadModel):
            docs[bound.tracking_key].conn = conn
            _write(conn, bound, docs[bound.tracking_key])


def _apply(conn: Connection, bound: Bound, fresh: list[Event], docs: Docs, *, defer: bool) -> None:
    read_model = bound.read_model
    if isinstance(read_model, AppendOnlyReadModel):
        appended: dict[str, list[dict[str, Any]]] = {name: [] for name in bound.tables}
        for event in fresh:
            for name, rows in read_model.rows(event).items():
                appended[name].extend(rows)
        for name, table in bound.tables.items():
            insert_rows(conn, table, appended[name])
        return
    docs.conn = conn
    work = [(handler, e) for e in fresh if (handler := read_model.handler(e)) is not None]
    if not work:
        return
    docs.prefetch(k for _, e in work for k in read_model.keys(e))
    for handler, event in work:
        handler(docs, event)
    if not defer:
        _write(conn, bound, docs)


def _write(conn: Connection, bound: Bound, docs: Docs) -> None:
    read_model = bound.read_model
    changed, stored = docs.flush(conn)
    rendered: dict[str, list[dict[str, Any]]] = {name: [] for name in bound.tables}
    for doc_key in changed:
        doc = docs.cache[doc_key]
        if doc is None or not read_model.renders(doc_key):
            continue
        for name, rows in read_model.render(doc_key, doc, docs).items():
            rendered[name].extend({**row, "doc_key": doc_key} for row in rows)
    replaced = [key for key in stored if read_model.renders(key)]
    for name, table in bound.tables.items():
        for chunk in chunks(replaced):
            conn.execute(sa.delete(table).where(table.c.doc_key.in_(chunk)))
        insert_rows(conn, table, rendered[name])
