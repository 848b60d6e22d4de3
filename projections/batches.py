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
commits once per event, which caps a rebuild at a few hundred events a second.

**One bad event stops nothing** (`apply_guarded`). If the batch fails to apply for a reason an
event can cause (a handler that raises, a value the database refuses, e.g. a NUL in a text
column on PostgreSQL), its transaction is rolled back and each read model is tried again on its
own: those that can apply the batch do, each in its own transaction; one that cannot is narrowed
down by halving the batch (about 2 log2(batch) transactions) to the event it cannot apply, which
is quarantined (`projections.quarantine`: recorded with its error, and logged) while the read
model's position moves past it, so it carries on with the next event. An error no event can
cause (a lost connection, a locked database) fails the batch as before: nothing is quarantined,
and the next catch-up tries again. `reapply` applies a quarantined event again (`trainplan
projections retry`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from projections import quarantine
from projections.database import chunks, insert_rows, tracking
from projections.read_model import AppendOnlyReadModel, Bound, Docs, Event

log = logging.getLogger("trainplan.projections")


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


def apply_guarded(
    engine: Engine,
    bounds: Sequence[Bound],
    events: list[Event],
    docs: dict[str, Docs],
    *,
    defer: bool = False,
) -> int:
    """`apply_batches` in a transaction of its own; if it fails for a reason an event can cause,
    each read model on its own, quarantining the events it cannot apply (see the module's
    docstring). Returns how many event applications were made.

    With `defer` (a rebuild keeping its documents in memory, which a failed batch leaves half
    changed) the error is raised: the rebuild starts again without deferring."""
    try:
        with engine.begin() as conn:
            return apply_batches(conn, bounds, events, docs, defer=defer)
    except Exception as error:
        if defer or quarantine.is_transient(error):
            raise
        log.warning(
            "a batch of %s events (%s to %s) failed (%s); applying it to each read model on "
            "its own to find the event at fault",
            len(events),
            events[0]["id"],
            events[-1]["id"],
            quarantine.describe(error),
        )
    return sum(_isolate(engine, bound, events) for bound in bounds)


def _isolate(engine: Engine, bound: Bound, events: list[Event]) -> int:
    """Applies `events` to one read model, halving the batch around a failure down to the one
    event it cannot apply, which is quarantined. Fresh documents on every attempt: a failed one
    may have changed its own in memory."""
    try:
        with engine.begin() as conn:
            return apply_batches(conn, [bound], events, {bound.tracking_key: Docs(bound.docs)})
    except Exception as error:
        if quarantine.is_transient(error):
            raise
        if len(events) > 1:
            middle = len(events) // 2
            return _isolate(engine, bound, events[:middle]) + _isolate(
                engine, bound, events[middle:]
            )
        _quarantine(engine, bound, events[0], error)
        return 0


def _quarantine(engine: Engine, bound: Bound, event: Event, error: BaseException) -> None:
    """Records the event in quarantine and moves the read model's position past it, in one
    transaction (unless the read model has already passed it)."""
    key = bound.tracking_key
    with engine.begin() as conn:
        position = conn.execute(
            sa.select(tracking.c.position).where(tracking.c.view == key).with_for_update()
        ).scalar()
        if position is not None and position >= event["id"]:
            return
        quarantine.record(conn, key, event, error)
        values = {"position": event["id"], "updated_at": time.time()}
        if position is None:
            conn.execute(sa.insert(tracking).values(view=key, **values))
        else:
            conn.execute(sa.update(tracking).where(tracking.c.view == key).values(**values))
    log.error(
        "projection %s cannot apply event %s (%s %s v%s): %s; the event is quarantined and "
        "the projection carries on past it (`trainplan projections status`, then `retry` "
        "once the cause is put right)",
        bound.name,
        event["id"],
        event["entity"],
        event["kind"],
        event["version"],
        quarantine.describe(error),
    )


def reapply(conn: Connection, bound: Bound, event: Event) -> None:
    """Applies one event again to a read model that is past it (a quarantined event), inside
    the caller's transaction; the read model's position stays where it is."""
    conn.execute(
        sa.select(tracking.c.position)
        .where(tracking.c.view == bound.tracking_key)
        .with_for_update()
    ).all()  # waits for a runner's batch in flight to commit (PostgreSQL)
    _apply(conn, bound, [event], Docs(bound.docs), defer=False)


def apply_batch(conn: Connection, bound: Bound, events: list[Event], docs: Docs) -> int:
    """One read model's share of `apply_batches`."""
    return apply_batches(conn, [bound], events, {bound.tracking_key: docs})


def finish(conn: Connection, bounds: Sequence[Bound], docs: dict[str, Docs]) -> None:
    """Writes what deferred batches changed: the documents and their rows."""
    for bound in bounds:
        if not isinstance(bound.read_model, AppendOnlyReadModel):
            docs[bound.tracking_key].conn = conn
            _write(conn, bound, docs[bound.tracking_key])


def write_in_parts(
    engine: Engine, bound: Bound, docs: Docs, *, only: set[str] | None = None, part: int = 20_000
) -> None:
    """Writes what deferred batches changed (of the documents `only`, if given: the others
    stay changed in memory), `part` documents and their rows per transaction: shadow tables
    nobody reads, filled by one of several processes that share a SQLite database, where one
    long transaction would hold the others' writes back."""
    if isinstance(bound.read_model, AppendOnlyReadModel):
        return
    keys = sorted(docs.dirty if only is None else docs.dirty & only)
    rest = set() if only is None else docs.dirty - only
    for start in range(0, len(keys), part):
        docs.dirty = set(keys[start : start + part])
        with engine.begin() as conn:
            docs.conn = conn
            _write(conn, bound, docs)
    docs.dirty = rest
    docs.conn = None


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
    handlers = read_model.bound_handlers()
    work = [(handler, e) for e in fresh if (handler := handlers.get(e["topic"])) is not None]
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
