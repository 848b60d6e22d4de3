"""The durable queue of optimisation runs: one row per run in `optimisation_jobs`.

A run's start is recorded as an event first (`OptimisationRunStarted`); its job row refers to
it by run id and carries what a worker needs to solve it (the cycle, who asked, the solver
settings, whether to draft, the business date) and what any API process needs to show it
(state, the worker that holds it, its last heartbeat, the live progress). The result is
recorded as events by whoever solves it; the row keeps only how it ended.

States: queued -> running -> finished | cancelled | failed, or running -> interrupted when its
worker stops heartbeating (killed, machine lost) for longer than the stale timeout.

Where the table lives: on PostgreSQL in the store's own database, and workers on any machine
take jobs with `SELECT ... FOR UPDATE SKIP LOCKED`, so two never take the same job and none
waits for another. On SQLite in a file beside the event store (`x/trainplan.db` ->
`x/trainplan-jobs.db`; one writer per file, as for the read models), where a claim is a
conditional UPDATE that SQLite's single writer makes atomic. Times are the database's clock, so
workers on machines whose clocks differ agree on what is stale."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from domain.store import is_postgres, pool_budget, sqlite_path

QUEUED, RUNNING = "queued", "running"
FINISHED, CANCELLED, FAILED, INTERRUPTED = "finished", "cancelled", "failed", "interrupted"
ENDED = (FINISHED, CANCELLED, FAILED, INTERRUPTED)
CREATE_LOCK = 0x7472_6A6F  # "trjo": one process at a time creates the table

metadata = sa.MetaData()
jobs = sa.Table(
    "optimisation_jobs",
    metadata,
    sa.Column("run_id", sa.String(80), primary_key=True),
    sa.Column("cycle_id", sa.String(36), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON: time_limit, workers, seed, what_if
    sa.Column("draft", sa.Boolean, nullable=False),
    sa.Column("effective_on", sa.String(10), nullable=True),
    sa.Column("state", sa.String(12), nullable=False),
    sa.Column("worker", sa.String(200), nullable=True),
    sa.Column("heartbeat", sa.Float, nullable=True),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("progress", sa.Text, nullable=False),  # JSON: stage, unit, objective, bound, ...
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("retry_of", sa.String(80), nullable=True),
    sa.Column("queued_at", sa.Float, nullable=False),
    sa.Column("started_at", sa.Float, nullable=True),
    sa.Column("ended_at", sa.Float, nullable=True),
    sa.Index("optimisation_jobs_by_state", "state", "queued_at"),
)


@dataclass(frozen=True)
class Job:
    """One run on the queue, as its row says."""

    run_id: str
    cycle_id: str
    actor: str
    settings: dict[str, Any]
    draft: bool
    effective_on: str | None
    state: str
    worker: str | None
    heartbeat: float | None
    cancel_requested: bool
    progress: dict[str, Any]
    error: str | None
    retry_of: str | None
    queued_at: float
    started_at: float | None
    ended_at: float | None
    now: float = field(default=0.0, compare=False)  # the database's clock when it was read

    @property
    def heartbeat_age(self) -> float | None:
        """Seconds since its worker last reported (None before a worker took it)."""
        return None if self.heartbeat is None else max(self.now - self.heartbeat, 0.0)


def jobs_url_for(url: str) -> str:
    """PostgreSQL: the store's own database. SQLite `x/trainplan.db` -> `x/trainplan-jobs.db`
    (in memory: a database of its own in this process)."""
    if is_postgres(url):
        if url.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    path = sqlite_path(url)
    if path in ("", ":memory:"):
        return "sqlite://"
    file = Path(path).expanduser()
    return f"sqlite:///{file.with_name(file.stem + '-jobs.db')}"


def _engine(url: str) -> Engine:
    if url.startswith("postgresql"):
        kept, overflow = pool_budget()  # the process's connection budget (see domain.store)
        return sa.create_engine(url, pool_size=kept, max_overflow=overflow, pool_pre_ping=True)
    memory = url == "sqlite://"
    engine = sa.create_engine(
        url,
        poolclass=StaticPool if memory else None,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN IMMEDIATE below takes the write lock
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class RunQueue:
    """The queue's operations, each one short transaction. Safe to share between threads."""

    def __init__(self, database_url: str) -> None:
        self.url = jobs_url_for(database_url)
        self.engine = _engine(self.url)
        self.postgres = self.engine.dialect.name == "postgresql"
        # one shared connection in memory: take turns (a file or PostgreSQL needs no lock)
        self._lock: threading.Lock | None = threading.Lock() if self.url == "sqlite://" else None
        if self.postgres:
            with self.engine.begin() as conn:  # several processes may create it at once
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CREATE_LOCK})
                metadata.create_all(conn, checkfirst=True)
        else:
            metadata.create_all(self.engine, checkfirst=True)

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        if self._lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._lock, self.engine.begin() as conn:
            yield conn

    def _now(self) -> Any:
        """The database's clock in seconds since the epoch, as SQL."""
        if self.postgres:
            return sa.func.extract("epoch", sa.func.clock_timestamp())
        return sa.literal_column("((julianday('now') - 2440587.5) * 86400.0)")

    def _job(self, row: Any, now: float = 0.0) -> Job:
        data = dict(row._mapping)
        data.pop("now", None)
        data["settings"] = json.loads(data["settings"])
        data["progress"] = json.loads(data["progress"])
        return Job(**data, now=float(now or 0.0))

    # --- putting runs on it ------------------------------------------------------------------

    def enqueue(
        self,
        run_id: str,
        cycle_id: str,
        *,
        actor: str,
        settings: dict[str, Any],
        draft: bool,
        effective_on: str | None,
        retry_of: str | None = None,
        worker: str | None = None,
    ) -> None:
        """Puts a run on the queue; with `worker`, already taken by that worker (a run the
        caller solves itself, as `trainplan optimise` does)."""
        with self._begin() as conn:
            conn.execute(
                jobs.insert().values(
                    run_id=run_id,
                    cycle_id=cycle_id,
                    actor=actor,
                    settings=json.dumps(settings),
                    draft=draft,
                    effective_on=effective_on,
                    state=QUEUED if worker is None else RUNNING,
                    worker=worker,
                    heartbeat=None if worker is None else self._now(),
                    cancel_requested=False,
                    progress="{}",
                    retry_of=retry_of,
                    queued_at=self._now(),
                    started_at=None if worker is None else self._now(),
                )
            )

    # --- workers -----------------------------------------------------------------------------

    def claim(self, worker: str) -> Job | None:
        """Takes the oldest queued job for `worker` (None if there is none). On PostgreSQL a
        job another worker is taking at this moment is skipped, never waited for."""
        oldest = (
            sa.select(jobs.c.run_id)
            .where(jobs.c.state == QUEUED)
            .order_by(jobs.c.queued_at, jobs.c.run_id)
            .limit(1)
        )
        if self.postgres:
            oldest = oldest.with_for_update(skip_locked=True)
        now = self._now()
        with self._begin() as conn:
            row = conn.execute(
                jobs.update()
                .where(jobs.c.run_id == oldest.scalar_subquery(), jobs.c.state == QUEUED)
                .values(state=RUNNING, worker=worker, heartbeat=now, started_at=now)
                .returning(*jobs.c)
            ).first()
        return None if row is None else self._job(row)

    def report(self, run_id: str, worker: str, progress: dict[str, Any]) -> bool | None:
        """The worker's heartbeat with its live progress. Returns whether a cancel was asked
        for, or None if the job is no longer this worker's (it was marked interrupted: the
        worker must stop and record nothing)."""
        with self._begin() as conn:
            row = conn.execute(
                jobs.update()
                .where(jobs.c.run_id == run_id, jobs.c.worker == worker, jobs.c.state == RUNNING)
                .values(progress=json.dumps(progress, default=str), heartbeat=self._now())
                .returning(jobs.c.cancel_requested)
            ).first()
        return None if row is None else bool(row[0])

    def end(
        self,
        run_id: str,
        worker: str,
        state: str,
        progress: dict[str, Any],
        error: str | None = None,
    ) -> bool:
        """The worker is done with the job: finished, cancelled or failed. False if it was no
        longer the worker's."""
        with self._begin() as conn:
            result = conn.execute(
                jobs.update()
                .where(jobs.c.run_id == run_id, jobs.c.worker == worker, jobs.c.state == RUNNING)
                .values(
                    state=state,
                    progress=json.dumps(progress, default=str),
                    error=error,
                    heartbeat=self._now(),
                    ended_at=self._now(),
                )
            )
        return bool(result.rowcount)

    def reap(self, stale_after: float) -> list[Job]:
        """Marks interrupted every running job whose worker has not reported for more than
        `stale_after` seconds, and returns them: the caller records the interruption. Two
        callers at once each get a job at most once between them."""
        why = f"its worker stopped reporting for more than {stale_after:g} s"
        with self._begin() as conn:
            rows = conn.execute(
                jobs.update()
                .where(jobs.c.state == RUNNING, jobs.c.heartbeat < self._now() - stale_after)
                .values(state=INTERRUPTED, ended_at=self._now(), error=why)
                .returning(*jobs.c)
            ).all()
        return [self._job(row) for row in rows]

    def interrupt(self, run_id: str, error: str) -> bool:
        """Marks a job interrupted whatever its state but an end (its run was found cut off)."""
        with self._begin() as conn:
            result = conn.execute(
                jobs.update()
                .where(jobs.c.run_id == run_id, jobs.c.state.in_((QUEUED, RUNNING)))
                .values(state=INTERRUPTED, error=error, ended_at=self._now())
            )
        return bool(result.rowcount)

    # --- anyone ------------------------------------------------------------------------------

    def get(self, run_id: str) -> Job | None:
        with self._begin() as conn:
            row = conn.execute(
                sa.select(*jobs.c, self._now().label("now")).where(jobs.c.run_id == run_id)
            ).first()
        return None if row is None else self._job(row, row._mapping["now"])

    def request_cancel(self, run_id: str) -> bool:
        """Asks the worker solving the run (or the one that takes it) to stop. False if the
        job has already ended or is not on the queue."""
        with self._begin() as conn:
            result = conn.execute(
                jobs.update()
                .where(jobs.c.run_id == run_id, jobs.c.state.in_((QUEUED, RUNNING)))
                .values(cancel_requested=True)
            )
        return bool(result.rowcount)

    def cancel_queued(self, run_id: str) -> Job | None:
        """Ends a job no worker has taken yet as cancelled; None if it is not queued."""
        with self._begin() as conn:
            row = conn.execute(
                jobs.update()
                .where(jobs.c.run_id == run_id, jobs.c.state == QUEUED)
                .values(state=CANCELLED, cancel_requested=True, ended_at=self._now())
                .returning(*jobs.c)
            ).first()
        return None if row is None else self._job(row)

    def counts(self) -> dict[str, int]:
        """How many jobs are in each state."""
        with self._begin() as conn:
            rows = conn.execute(
                sa.select(jobs.c.state, sa.func.count()).group_by(jobs.c.state)
            ).all()
        return {str(state): int(count) for state, count in rows}

    def close(self) -> None:
        self.engine.dispose()
