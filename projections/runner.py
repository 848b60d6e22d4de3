"""Driving the read models: catch-up after a command, following the store as its own process,
rebuilding from zero into shadow tables, digests; and reading them (`query`, `problem_source`).

Keeping up inside the process (the embedded default): after every command the API and the CLI
call `catch_up()`, which reads the new events once (one query on the notification log), applies
them to every read model in one transaction (`projections.batches`), and returns. For a single
command that is a few milliseconds, with no polling at all: a query made after a command sees
it. Where another process drives the read models (`trainplan projections run` on PostgreSQL),
`catch_up()` finds them locked (`projections.locks`) and waits for their tracking positions to
pass the store's head instead.

A rebuild replays every event into shadow tables (`<table>__r<stamp>`) and swaps them in, in one
transaction, when complete: readers never see a half-built model.

One event a read model cannot apply never stops it nor the others: it is quarantined and the
read model carries on past it (the policy: `projections.quarantine`; how: `projections.batches.
apply_guarded`), in a catch-up, a long-lived runner and a rebuild alike. `quarantined()` lists
such events, `retry()` applies them again once the cause is put right."""

from __future__ import annotations

import gc
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from domain import TrainingPlanner, store_env
from projections import quarantine
from projections.batches import apply_guarded, finish, reapply, write_in_parts
from projections.database import common, digest_rows, make_engine, read_models_url_for, tracking
from projections.events import read_events
from projections.locks import Locks, RunnerBusy, holder_name
from projections.parallel import (
    GroupFailed,
    GroupReport,
    fill_in_processes,
    groups,
    peak_rss,
    processes_for,
)
from projections.quarantine import Quarantined
from projections.queries import ReadModelSource, query
from projections.read_model import Bound, Docs, UnknownReadModel, bind
from projections.read_models import READ_MODELS

log = logging.getLogger("trainplan.projections")

BATCH = 5000
# A rebuild holding more documents than this in memory (all its read models together) writes
# those not used since it last did so to its shadow tables and forgets them.
SPILL_DOCS = 40_000
SHADOW = "__r"


@dataclass
class RebuildProgress:
    """How far a rebuild has come: `done` of `total` notification ids."""

    read_models: str
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


ProgressCallback = Callable[[RebuildProgress], None]


@dataclass(frozen=True)
class Retried:
    """What `Projections.retry` did: the quarantined events that now applied (cleared), and
    those that still fail (kept, with their new error)."""

    cleared: list[Quarantined]
    failing: list[Quarantined]


class Projections:
    """Every read model of one store. `events_url` is the event store's URL; the read models
    live in `read_models_url` (default: beside the SQLite file, or in the same PostgreSQL
    database)."""

    def __init__(
        self,
        events_url: str,
        read_models_url: str | None = None,
        *,
        reader: TrainingPlanner | None = None,
        writes_alongside: bool = False,
    ) -> None:
        """`writes_alongside`: other processes write to the same read models' database at the
        same time (a parallel rebuild's processes)."""
        self.events_url = events_url
        self.read_models_url = read_models_url or read_models_url_for(events_url)
        self.engine = make_engine(self.read_models_url, immediate=writes_alongside)
        self.metadata = sa.MetaData()
        self.read_models: dict[str, Bound] = {
            cls.name: bind(cls(), self.metadata) for cls in READ_MODELS
        }
        common.create_all(self.engine)
        self._start_again_where_the_shape_changed()
        self.metadata.create_all(self.engine)
        self._reader = reader
        self._own_reader = reader is None
        self._mutex = threading.RLock()
        self._locks = Locks(self.engine, self.read_models_url, self.read_models)
        self._held: set[str] = set()  # read models this process drives for good (`acquire`)
        self._reached = 0  # every read model is known to be at least here
        self.last_rebuild: list[GroupReport] = []  # the processes of the last rebuild

    def _start_again_where_the_shape_changed(self) -> None:
        """A read model whose tables in the database do not have the columns this code defines
        (made by an earlier version of trainplan) starts again from zero: its tables are
        dropped and made anew, its position and quarantine forgotten, so the next catch-up
        rebuilds it from the events. Read models are derived data: nothing is lost, and no one
        has to remember `trainplan projections rebuild` after an upgrade. Logged, naming it."""
        inspector = sa.inspect(self.engine)
        existing = set(inspector.get_table_names())
        changed = [
            bound
            for bound in self.read_models.values()
            if any(
                table.name in existing
                and {c["name"] for c in inspector.get_columns(table.name)} != set(table.c.keys())
                for table in bound.all_tables
            )
        ]
        if not changed:
            return
        keys = [bound.tracking_key for bound in changed]
        with self.engine.begin() as conn:
            for bound in changed:
                for table in bound.all_tables:
                    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}"'))
            conn.execute(sa.delete(tracking).where(tracking.c.view.in_(keys)))
            quarantine.forget(conn, keys)
        log.warning(
            "read models %s were made by another version of trainplan (their columns differ): "
            "they start again from the first event and catch up",
            ", ".join(keys),
        )

    @property
    def views_url(self) -> str:
        """`read_models_url` under its old name (bench/rebuild.py)."""
        return self.read_models_url

    # --- the events -------------------------------------------------------------------------

    @property
    def reader(self) -> TrainingPlanner:
        if self._reader is None:
            self._reader = TrainingPlanner.open(self.events_url)
        return self._reader

    def head(self) -> int:
        return int(self.reader.recorder.max_notification_id() or 0)

    def select(self, names: Iterable[str] | None = None) -> list[Bound]:
        if not names:
            return list(self.read_models.values())
        chosen = []
        for name in names:
            if name not in self.read_models:
                raise UnknownReadModel(name, self.read_models)
            chosen.append(self.read_models[name])
        return chosen

    def positions(self) -> dict[str, int]:
        with self.engine.connect() as c:
            found = {
                row[0]: row[1] for row in c.execute(sa.select(tracking.c.view, tracking.c.position))
            }
        return {name: int(found.get(name, 0)) for name in self.read_models}

    # --- quarantine ------------------------------------------------------------------------

    def quarantined(self, names: Iterable[str] | None = None) -> list[Quarantined]:
        """The events the read models `names` (default: all) could not apply and carried on
        past (`projections.quarantine`), by read model and position."""
        return quarantine.entries(self.engine, [b.tracking_key for b in self.select(names)])

    def retry(self, names: Iterable[str] | None = None) -> Retried:
        """Applies each quarantined event of the read models `names` (default: all) again, in
        order: one that now applies is cleared, one that still fails stays quarantined with its
        new error. Each event goes in its own transaction; the read models' positions stay
        where they are."""
        cleared: list[Quarantined] = []
        failing: list[Quarantined] = []
        with self._mutex:
            for bound in self.select(names):
                for entry in quarantine.entries(self.engine, [bound.tracking_key]):
                    found = read_events(
                        self.reader, after=entry.position - 1, upto=entry.position, limit=1
                    )
                    try:
                        if not found:
                            raise LookupError(f"event {entry.position} is not in the store")
                        with self.engine.begin() as conn:
                            reapply(conn, bound, found[0])
                            quarantine.clear(conn, bound.tracking_key, entry.position)
                    except Exception as error:
                        if quarantine.is_transient(error):
                            raise
                        with self.engine.begin() as conn:
                            quarantine.still_failing(
                                conn, bound.tracking_key, entry.position, error
                            )
                        failing.extend(
                            e
                            for e in quarantine.entries(self.engine, [bound.tracking_key])
                            if e.position == entry.position
                        )
                    else:
                        cleared.append(entry)
                        log.info(
                            "projection %s applied quarantined event %s on retry",
                            bound.name,
                            entry.position,
                        )
        return Retried(cleared=cleared, failing=failing)

    # --- keeping up -------------------------------------------------------------------------

    def catch_up(
        self,
        names: Iterable[str] | None = None,
        *,
        upto: int | None = None,
        batch: int = BATCH,
        wait: float = 5.0,
    ) -> int:
        """Applies every new event (up to `upto`) to the read models; returns how many event
        applications were made. Read models another runner drives are waited for until they pass
        the store's head (at most `wait` seconds)."""
        bounds = self.select(names)
        everything = names is None and upto is None
        target: int | None = upto
        if everything:
            # Many requests finishing at once need one catch-up, not one each: whoever gets
            # the mutex first brings every read model past the head all of them wrote before.
            target = self.head()
            if self._reached >= target:
                return 0
        applied = 0
        deadline = time.monotonic() + wait
        with self._mutex:
            while True:
                if everything and self._reached >= (target or 0):
                    return applied
                wanted = [b.name for b in bounds if b.name not in self._held]
                taken = self._locks.try_acquire(wanted, holder_name())
                mine = [b for b in bounds if b.name in self._held or b.name in taken]
                try:
                    if mine:
                        applied += self._drive(mine, upto=upto, batch=batch)
                finally:
                    self._locks.release(taken)
                busy = [b for b in bounds if b not in mine]
                if target is None:
                    target = self.head()
                if busy:
                    positions = self._tracked(busy)
                    if any(positions[b.tracking_key] < target for b in busy):
                        if time.monotonic() > deadline:
                            log.warning(
                                "read models %s are driven by another runner and have not "
                                "reached %s",
                                [b.name for b in busy],
                                target,
                            )
                            return applied
                        time.sleep(0.005)
                        continue
                if everything:
                    self._reached = max(self._reached, target)
                return applied

    def _drive(
        self,
        bounds: Sequence[Bound],
        *,
        upto: int | None,
        batch: int,
        docs: dict[str, Docs] | None = None,
        progress: Callable[[int], None] | None = None,
        defer: bool = False,
    ) -> int:
        """Reads each batch of events once and applies it to every read model in one
        transaction: each one's rows and its tracking position commit together (and with the
        others')."""
        tracked = self._tracked(bounds)
        after = min(tracked.values())
        applied = 0
        while True:
            events = read_events(self.reader, after=after, limit=batch, upto=upto)
            if not events:
                return applied
            last = events[-1]["id"]
            behind = [b for b in bounds if last > tracked[b.tracking_key]]
            batch_docs = docs or {b.tracking_key: Docs(b.docs) for b in behind}
            applied += apply_guarded(self.engine, behind, events, batch_docs, defer=defer)
            if defer and docs is not None and sum(map(len, docs.values())) > SPILL_DOCS:
                self._spill(bounds, docs)
            for b in bounds:
                tracked[b.tracking_key] = max(tracked[b.tracking_key], last)
            after = last
            if progress:
                progress(last)
            if len(events) < batch:
                return applied

    def _spill(self, bounds: Sequence[Bound], docs: dict[str, Docs]) -> None:
        """Writes the documents of a deferred rebuild not used since the last spill (and their
        rows) to its shadow tables and forgets them, so that memory stays bounded however long
        the history: a document needed again is read back from the shadow table, and those in
        use (an open cycle, a group) stay in memory, written once at the end."""
        for bound in bounds:
            held = docs[bound.tracking_key]
            cold = held.cold()
            write_in_parts(self.engine, bound, held, only=cold)
            held.evict(cold)

    def _tracked(self, bounds: Sequence[Bound]) -> dict[str, int]:
        """Each bound read model's tracking position, by its tracking key."""
        keys = [b.tracking_key for b in bounds]
        with self.engine.connect() as c:
            found = {
                row[0]: row[1]
                for row in c.execute(
                    sa.select(tracking.c.view, tracking.c.position).where(tracking.c.view.in_(keys))
                )
            }
        return {key: int(found.get(key, 0)) for key in keys}

    # --- a long-lived runner ----------------------------------------------------------------

    def acquire(self, names: Iterable[str] | None = None, holder: str | None = None) -> None:
        """Takes the read models for this process for good (`trainplan projections run`). One
        another runner drives is refused with RunnerBusy naming the holder; nothing is taken
        then."""
        who = holder or holder_name()
        wanted = [b.name for b in self.select(names) if b.name not in self._held]
        with self._mutex:
            taken = self._locks.try_acquire(wanted, who, record=True)
            refused = [name for name in wanted if name not in taken]
            if refused:
                self._locks.release(taken, record=True)
                holder_of = self._locks.holder(refused[0])
                raise RunnerBusy(
                    f"projection {refused[0]!r} is already driven by runner {holder_of!r}"
                )
            self._held.update(taken)

    def release(self) -> None:
        with self._mutex:
            held, self._held = list(self._held), set()
            self._locks.release(held, record=True)

    def follow(
        self,
        stop: threading.Event,
        *,
        names: Iterable[str] | None = None,
        poll: float = 0.5,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """Drives the read models until `stop` is set: on PostgreSQL woken by the store's NOTIFY
        (LISTEN on the events table's channel), else by polling every `poll` seconds."""
        self.acquire(names)
        try:
            listener = self.listener()
            while not stop.is_set():
                applied = self.catch_up(names, wait=0)
                if applied and on_batch:
                    on_batch(applied)
                if listener is not None:
                    for _ in listener.notifies(timeout=poll, stop_after=1):
                        break
                else:
                    stop.wait(poll)
        finally:
            self.release()

    def listener(self) -> Any:
        """A connection listening on the events table's channel, woken by every append (the
        library's NOTIFY; PostgreSQL), else None."""
        if self.engine.dialect.name != "postgresql":
            return None
        env = store_env(self.events_url)
        conn = psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            dbname=env["POSTGRES_DBNAME"],
            autocommit=True,
        )
        channel = getattr(self.reader.recorder, "channel_name", "stored_events")
        conn.execute(f'LISTEN "{channel}"')
        return conn

    # --- rebuilding -------------------------------------------------------------------------

    def rebuild(
        self,
        names: Iterable[str] | None = None,
        *,
        batch: int = 10_000,
        progress: ProgressCallback | None = None,
        wait: float = 60.0,
        processes: int | None = None,
    ) -> dict[str, int]:
        """Rebuilds read models from zero into shadow tables and swaps them in when complete,
        so readers never see a half-built model. Returns each one's new position.

        The read models are split into `processes` groups of about equal work (default:
        TRAINPLAN_REBUILD_PROCESSES, else one per CPU from 200,000 events on), each filled by
        a process of its own (`projections.parallel`); with one, in this process. The
        documents are kept in memory and written once, at the end of the fill. If an event
        cannot be applied (a handler raises, or the database refuses a row), the rebuild
        starts again in this process writing batch by batch, where each event a read model
        cannot apply is quarantined (`projections.batches.apply_guarded`) instead of failing
        the rebuild."""
        bounds = self.select(names)
        total = max(self.head(), 1)
        workers = processes_for(len(bounds), processes, total)
        self.last_rebuild = []
        state = RebuildProgress(read_models=", ".join(b.name for b in bounds), total=total)

        def report(position: int) -> None:
            state.done = position
            state.total = max(state.total, position)
            if progress:
                progress(state)

        try:
            self._rebuild(
                bounds, batch=batch, report=report, wait=wait, defer=True, processes=workers
            )
        except Exception as error:
            if (
                quarantine.is_transient(error)
                or isinstance(error, RunnerBusy)
                or (isinstance(error, GroupFailed) and error.transient)
            ):
                raise
            log.warning(
                "the rebuild of %s met an event it cannot apply (%s); starting again batch by "
                "batch, quarantining what cannot be applied",
                state.read_models,
                quarantine.describe(error),
            )
            state.done = 0
            self._rebuild(bounds, batch=batch, report=report, wait=wait, defer=False)
        report(state.done)
        positions = self._tracked(bounds)
        return {b.name: positions[b.tracking_key] for b in bounds}

    def _rebuild(
        self,
        bounds: Sequence[Bound],
        *,
        batch: int,
        report: Callable[[int], None],
        wait: float,
        defer: bool,
        processes: int = 1,
    ) -> None:
        """One attempt at a rebuild: shadow tables filled from zero, then swapped in under the
        read models' locks. `defer`: documents kept in memory and written at the end of the
        fill (fast; a failure fails the attempt), by `processes` processes when more than one
        (`projections.parallel`); otherwise written batch by batch, quarantining events that
        cannot be applied. A failed attempt leaves no shadow behind."""
        stamp = f"{SHADOW}{int(time.time() * 1000)}"
        shadow_metadata = sa.MetaData()
        shadows = [bind(b.read_model, shadow_metadata, stamp) for b in bounds]
        self._drop_stale_shadows(bounds)
        shadow_metadata.create_all(self.engine)
        parallel = defer and processes > 1
        docs = (
            {s.tracking_key: Docs(s.docs, known=set()) for s in shadows}
            if defer and not parallel
            else None
        )

        collecting = gc.isenabled()
        gc.disable()  # millions of documents in memory, no cycles among them: the collector
        # would walk them all again and again for nothing
        try:
            if parallel:
                split = groups([b.name for b in bounds], processes)
                self.last_rebuild = fill_in_processes(
                    fill_group,
                    self.events_url,
                    self.read_models_url,
                    split,
                    stamp,
                    batch=batch,
                    report=report,
                )
                defer = False  # the shadows hold their documents: the rest batch by batch
            else:
                self._drive(
                    shadows, upto=None, batch=batch, docs=docs, progress=report, defer=defer
                )
            deadline = time.monotonic() + wait
            with self._mutex:
                names = [b.name for b in bounds if b.name not in self._held]
                taken: list[str] = []
                try:
                    while True:
                        taken += self._locks.try_acquire(
                            [n for n in names if n not in taken], holder_name()
                        )
                        if len(taken) == len(names):
                            break
                        if time.monotonic() > deadline:
                            busy = next(n for n in names if n not in taken)
                            raise RunnerBusy(
                                f"projection {busy!r} is driven by runner "
                                f"{self._locks.holder(busy)!r}; stop it to swap"
                            )
                        time.sleep(0.05)
                    self._drive(
                        shadows, upto=None, batch=batch, docs=docs, progress=report, defer=defer
                    )
                    with self.engine.begin() as conn:
                        if docs is not None:
                            finish(conn, shadows, docs)
                        for live, shadow in zip(bounds, shadows, strict=True):
                            self._swap(conn, live, shadow)
                finally:
                    self._locks.release(taken)
        except BaseException:
            shadow_metadata.drop_all(self.engine)
            with self.engine.begin() as conn:
                keys = [s.tracking_key for s in shadows]
                conn.execute(sa.delete(tracking).where(tracking.c.view.in_(keys)))
                quarantine.forget(conn, keys)
            raise
        finally:
            if collecting:
                gc.enable()

    def fill_shadows(
        self,
        names: Sequence[str],
        stamp: str,
        *,
        batch: int = 10_000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Fills the (existing, empty) shadow tables `stamp` of the read models `names` from
        every event, documents kept in memory and written at the end in transactions of their
        own (one process's share of a parallel rebuild: `projections.parallel`). Returns the
        position reached."""
        shadow_metadata = sa.MetaData()
        shadows = [bind(b.read_model, shadow_metadata, stamp) for b in self.select(names)]
        docs = {s.tracking_key: Docs(s.docs, known=set()) for s in shadows}
        gc.disable()  # see _rebuild
        self._drive(shadows, upto=None, batch=batch, docs=docs, progress=progress, defer=True)
        for shadow in shadows:
            write_in_parts(self.engine, shadow, docs[shadow.tracking_key])
        return min(self._tracked(shadows).values())

    def _swap(self, conn: Connection, live: Bound, shadow: Bound) -> None:
        position = conn.execute(
            sa.select(tracking.c.position).where(tracking.c.view == shadow.tracking_key)
        ).scalar()
        for live_table, shadow_table in zip(live.all_tables, shadow.all_tables, strict=True):
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{live_table.name}"'))
            conn.execute(
                sa.text(f'ALTER TABLE "{shadow_table.name}" RENAME TO "{live_table.name}"')
            )
        conn.execute(
            sa.delete(tracking).where(tracking.c.view.in_([live.tracking_key, shadow.tracking_key]))
        )
        quarantine.move(conn, shadow.tracking_key, live.tracking_key)
        conn.execute(
            sa.insert(tracking).values(
                view=live.tracking_key, position=int(position or 0), updated_at=time.time()
            )
        )

    def _drop_stale_shadows(self, bounds: Sequence[Bound]) -> None:
        prefixes = tuple(f"{t.name}{SHADOW}" for b in bounds for t in b.all_tables)
        stale = [n for n in sa.inspect(self.engine).get_table_names() if n.startswith(prefixes)]
        with self.engine.begin() as conn:
            for name in stale:
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))
            names = {b.name for b in bounds}
            stale_keys = [
                key
                for (key,) in conn.execute(sa.select(tracking.c.view)).all()
                if SHADOW in key and key.split(SHADOW)[0] in names
            ]
            if stale_keys:
                conn.execute(sa.delete(tracking).where(tracking.c.view.in_(stale_keys)))
            quarantine.forget(
                conn,
                {
                    entry.view
                    for entry in quarantine.entries(conn)
                    if SHADOW in entry.view and entry.view.split(SHADOW)[0] in names
                },
            )

    # --- proof of sameness ------------------------------------------------------------------

    def digests(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """One SHA-256 per read model over every row of its tables in key order."""
        result = {}
        with self.engine.connect() as conn:
            for b in self.select(names):
                h = hashlib.sha256()
                for table in b.tables.values():
                    count, digest = digest_rows(conn, table)
                    h.update(f"{table.name}:{count}:{digest}\n".encode())
                result[b.name] = h.hexdigest()
        return result

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                table.name: int(
                    conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
                )
                for b in self.read_models.values()
                for table in b.tables.values()
            }

    # --- reading ----------------------------------------------------------------------------

    def query(self, name: str, **options: Any) -> tuple[list[dict[str, Any]], int]:
        """Rows of the read model query `name` (`projections.queries.QUERIES`) and how many
        match in all."""
        return query(self, name, **options)

    def problem_source(self) -> ReadModelSource:
        """The optimiser's input rows (planning.adapter.ProblemSource)."""
        return ReadModelSource(self)

    def close(self) -> None:
        self.release()
        self._locks.close()
        if self._own_reader and self._reader is not None:
            self._reader.close()
            self._reader = None
        self.engine.dispose()


def fill_group(
    events_url: str,
    read_models_url: str,
    names: list[str],
    stamp: str,
    batch: int,
    index: int,
    out: Any,
) -> None:
    """A parallel rebuild's process: fills the shadow tables of `names` (named with `stamp`)
    from every event, saying how far it is and how it ended on `out`
    (`projections.parallel.fill_in_processes`)."""
    started = time.monotonic()
    projections = Projections(events_url, read_models_url, writes_alongside=True)
    try:

        def progress(position: int) -> None:
            out.put(("progress", index, position, None))

        position = projections.fill_shadows(names, stamp, batch=batch, progress=progress)
        out.put(("done", index, position, (time.monotonic() - started, peak_rss())))
    except BaseException as error:
        out.put(("failed", index, quarantine.describe(error), quarantine.is_transient(error)))
        raise
    finally:
        projections.close()


def open_projections(database_url: str, read_models_url: str | None = None) -> Projections:
    """The read models of the store at `database_url` (see `read_models_url_for`)."""
    return Projections(database_url, read_models_url)
