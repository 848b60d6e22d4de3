"""The composition root: what the HTTP app, the CLI and the benchmarks share, built in one place
from the settings.

`open_stack(settings)` opens the application on the event store (`TrainingPlanner`), the read
models (`Projections`), the idempotency keys of the HTTP API (`IdempotencyStore`) and, unless
`planning=False`, the planning service that runs the optimiser off the request path (its runs
are jobs on the store's run queue, `planning.jobs`: the HTTP server, opened with `follow=True`,
starts `TRAINPLAN_RUN_WORKERS` worker threads taking them; the CLI solves its own runs in
process, and `trainplan worker` takes the rest elsewhere). It then
brings the read models up to date, seals new events into the tamper-evidence chain, and marks
runs cut off by a restart as interrupted. `Stack.close()` (or the end of a `with` block) closes
everything in the reverse order. Nothing is opened at import time; OR-Tools loads only when a
run starts.

**Two ways to keep the read models and the seals up.** The CLI keeps them up synchronously:
its commands call `Stack.catch_up()` when they are done, so the next command sees them. The
HTTP server opens its stack with `follow=True`: a write answers as soon as its events are
stored, and two background threads follow, woken by every save: the projection follower
(`projections.follower`: the read models, also woken by the store's NOTIFY on PostgreSQL) and
the sealer (`projections.integrity.Sealer`: the hash chain, in batches). A request that wants
to know what it wrote gets the position of its last event (`recording_positions()`), and
`Stack.health()` says how far each read model and the seals have come.

**When catching up or sealing fails.** A command is done when its events are stored. The read
models and the seals follow the events. If either step fails, the failure is logged with its
cause and nothing else happens: the command stands, nobody is told it failed, and the stack
stays open. The next catch-up starts again where the failed one stopped (each read model tracks
its position, the seal chain continues from its last seal), so a passing fault heals itself;
`trainplan projections status` shows how far each read model got, `trainplan audit verify` what
is sealed, the HTTP API's `/health` both. A chain that refuses to be extended (an event changed
under it) is logged as such, with the command to run. Opening follows the same rule: a store
whose read models cannot catch up still opens, so that it can be inspected and repaired."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import psycopg
from eventsourcing.persistence import Recording

from api.http.idempotency import IdempotencyStore, engine_for
from api.settings import Settings, get_settings, missing_store_folder
from domain import TrainingPlanner, store_env
from domain.store import is_postgres
from planning.jobs import RunQueue
from planning.service import PlanningService
from projections import Projections, integrity, open_projections
from projections.follower import Follower

log = logging.getLogger("trainplan")

STARTUP_LOCK = 0x7472_6E70  # "trnp"


@dataclass
class Written:
    """The position (notification id) of the last event saved while it was being recorded."""

    position: int = 0


_WRITTEN: ContextVar[Written | None] = ContextVar("trainplan_written", default=None)


@contextmanager
def recording_positions() -> Iterator[Written]:
    """Within the block (and the threads it hands work to, which copy the context), every save
    of the application records its last event's position in the `Written` yielded."""
    written = Written()
    token = _WRITTEN.set(written)
    try:
        yield written
    finally:
        _WRITTEN.reset(token)


class ObservedPlanner(TrainingPlanner):
    """The application, telling what it saved: the position of each save's last event goes to
    the `Written` of `recording_positions()` (if any) and to every function in `on_saved`
    (the follower's and the sealer's wake-ups). The same application on the same tables: its
    name is the planner's."""

    name = TrainingPlanner.name

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_saved: list[Callable[[int], None]] = []

    def _notify(self, recordings: list[Recording[Any]]) -> None:
        super()._notify(recordings)
        if not recordings:
            return
        last = max(int(recording.notification.id) for recording in recordings)
        written = _WRITTEN.get()
        if written is not None:
            written.position = max(written.position, last)
        for listener in self.on_saved:
            listener(last)


@dataclass
class Stack:
    """The application on its store, with its read models, idempotency keys and (unless opened
    with `planning=False`) the planning service."""

    settings: Settings
    planner: TrainingPlanner
    projections: Projections
    idempotency: IdempotencyStore
    planning: PlanningService | None = None
    follower: Follower | None = None
    sealer: integrity.Sealer | None = None
    closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def catch_up(self) -> None:
        """Brings the read models up to date with the store and seals the new events, now, in
        this thread (the CLI; with a follower running, this waits for it). A failure is logged
        and leaves the events as they are (see the module's docstring)."""
        if self.follower is not None:
            self.follower.hurry()
        try:
            self.projections.catch_up()
        except Exception:
            log.exception(
                "the read models could not catch up; the next catch-up retries "
                "(`trainplan projections status` shows where they are)"
            )
        try:
            integrity.seal(self.settings.database_url, key=self.settings.seal_secret)
        except integrity.SealRefused:
            log.exception(
                "the tamper-evidence chain refused new seals: run `trainplan audit verify`"
            )
        except Exception:
            log.exception("new events could not be sealed; the next catch-up retries")

    def after_record(self) -> None:
        """What the planning service calls after it records: the run it starts reads the read
        models, so they must have reached what was just recorded. With a follower, wait for it
        (at most the read wait); without, catch up now."""
        if self.follower is None or not self.follower.running:
            self.catch_up()
            return
        head = self.projections.head()
        self.follower.hurry()
        if not self.follower.positions.wait(head, timeout=self.settings.read_wait_seconds):
            log.warning(
                "the read models have not reached position %s within %s s; the run reads them "
                "as they are",
                head,
                self.settings.read_wait_seconds,
            )

    def follow(self) -> None:
        """Starts the projection follower and the background sealer (the HTTP server), woken
        by every save of the application; `close()` stops them."""
        follower = Follower(
            self.projections,
            poll=self.settings.follow_poll_seconds,
            gather=self.settings.follow_gather_seconds,
        )
        sealer = integrity.Sealer(
            self.settings.database_url,
            key=self.settings.seal_secret,
            delay=self.settings.seal_delay_seconds,
            poll=self.settings.follow_poll_seconds * 2,
        )
        planner = self.planner
        if isinstance(planner, ObservedPlanner):
            planner.on_saved += [follower.wake, sealer.wake]
        self.follower, self.sealer = follower.start(), sealer.start()
        self.closers += [follower.stop, sealer.stop]

    def health(self) -> dict[str, Any]:
        """How far the read models and the seals have come: the store's head, each read
        model's position, the slowest one's lag behind the head, the follower's state (this
        process's: following, or standing by for another runner), the last sealed position."""
        head = self.projections.head()
        follower = self.follower
        positions = (
            follower.positions.current() if follower is not None else self.projections.positions()
        )
        return {
            "head": head,
            "positions": positions,
            "lag": max(head - min(positions.values(), default=head), 0),
            "follower": "not running" if follower is None else follower.state,
            "sealed": integrity.sealed_up_to(self.settings.database_url),
        }

    def close(self) -> None:
        """Closes everything opened, the last opened first. A failure to close one thing is
        logged and never hides the error that brought us here."""
        close_all(self.closers)

    def __enter__(self) -> Stack:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_stack(
    settings: Settings | None = None, *, planning: bool = True, follow: bool = False
) -> Stack:
    """Opens the stack on the store the settings name (see the module's docstring). With
    `follow`, the read models and the seals are kept up by background threads (`Stack.follow`)
    instead of being brought up to date here."""
    settings = settings or get_settings()
    if (missing := missing_store_folder(settings)) is not None:
        raise FileNotFoundError(f"TRAINPLAN_DATABASE_URL: {missing}")
    closers: list[Callable[[], None]] = []
    try:
        with starting(settings):
            planner = ObservedPlanner.open(settings.database_url)
            closers.append(planner.close)
            projections = open_projections(settings.database_url)
            closers.append(projections.close)
            idempotency = IdempotencyStore(engine_for(settings.database_url))
            closers.append(idempotency.close)
            stack = Stack(settings, planner, projections, idempotency, closers=closers)
            if follow:
                stack.follow()
            else:
                stack.catch_up()
            if planning:
                queue = RunQueue(settings.database_url)
                closers.append(queue.close)
                stack.planning = PlanningService(
                    planner,
                    projections.problem_source(),
                    queue=queue,
                    workers=settings.run_workers if follow else 0,
                    after_record=stack.after_record,
                    stale_after=settings.run_stale_seconds,
                )
                closers.append(stack.planning.shutdown)
                interrupted = stack.planning.recover()
                if interrupted:
                    log.warning("marked runs cut off by a restart as interrupted: %s", interrupted)
    except BaseException:
        close_all(closers)
        raise
    return stack


def close_all(closers: list[Callable[[], None]]) -> None:
    """Calls and removes each closer, the last first; a failing one is logged."""
    while closers:
        close = closers.pop()
        try:
            close()
        except Exception:
            log.exception("while closing %s", close)


@contextmanager
def starting(settings: Settings) -> Iterator[None]:
    """Serialises opening on PostgreSQL: several workers starting at once on a fresh database
    would each create the same tables and types at the same moment (and some would fail), and
    each would mark the same cut-off runs as interrupted. One at a time holds a session
    advisory lock while it opens the stack."""
    if not is_postgres(settings.database_url):
        yield
        return
    env = store_env(settings.database_url)
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        dbname=env["POSTGRES_DBNAME"],
        autocommit=True,
        connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
    ) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (STARTUP_LOCK,))
        try:
            yield
        finally:
            lock.execute("SELECT pg_advisory_unlock(%s)", (STARTUP_LOCK,))
