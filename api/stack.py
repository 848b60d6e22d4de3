"""The composition root: what the HTTP app, the CLI and the benchmarks share, built in one place
from the settings.

`open_stack(settings)` opens the application on the event store (`TrainingPlanner`), the read
models (`Projections`), the idempotency keys of the HTTP API (`IdempotencyStore`) and, unless
`planning=False`, the planning service that runs the optimiser off the request path. It then
brings the read models up to date, seals new events into the tamper-evidence chain, and marks
runs cut off by a restart as interrupted. `Stack.close()` (or the end of a `with` block) closes
everything in the reverse order. Nothing is opened at import time; OR-Tools loads only when a
run starts.

**When catching up or sealing fails.** A command is done when its events are stored. The read
models and the seals follow the events in `Stack.catch_up()`, which the HTTP app runs after
every write, the CLI after its commands, and the planning service after it records a run. If
either step fails, the failure is logged with its cause and nothing else happens: the command
stands, nobody is told it failed, and the stack stays open. The next catch-up starts again
where the failed one stopped (each read model tracks its position, the seal chain continues
from its last seal), so a passing fault heals itself; `trainplan projections status` shows how
far each read model got, `trainplan audit verify` what is sealed. A chain that refuses to be
extended (an event changed under it) is logged as such, with the command to run. Opening
follows the same rule: a store whose read models cannot catch up still opens, so that it can
be inspected and repaired."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType

import psycopg

from api.http.idempotency import IdempotencyStore, engine_for
from api.settings import Settings, get_settings, missing_store_folder
from domain import TrainingPlanner, store_env
from domain.store import is_postgres
from planning.service import PlanningService
from projections import Projections, integrity, open_projections

log = logging.getLogger("trainplan")

STARTUP_LOCK = 0x7472_6E70  # "trnp"


@dataclass
class Stack:
    """The application on its store, with its read models, idempotency keys and (unless opened
    with `planning=False`) the planning service."""

    settings: Settings
    planner: TrainingPlanner
    projections: Projections
    idempotency: IdempotencyStore
    planning: PlanningService | None = None
    closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def catch_up(self) -> None:
        """Brings the read models up to date with the store and seals the new events. A failure
        is logged and leaves the events as they are (see the module's docstring)."""
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


def open_stack(settings: Settings | None = None, *, planning: bool = True) -> Stack:
    """Opens the stack on the store the settings name (see the module's docstring)."""
    settings = settings or get_settings()
    if (missing := missing_store_folder(settings)) is not None:
        raise FileNotFoundError(f"TRAINPLAN_DATABASE_URL: {missing}")
    closers: list[Callable[[], None]] = []
    try:
        with starting(settings):
            planner = TrainingPlanner.open(settings.database_url)
            closers.append(planner.close)
            projections = open_projections(settings.database_url)
            closers.append(projections.close)
            idempotency = IdempotencyStore(engine_for(settings.database_url))
            closers.append(idempotency.close)
            stack = Stack(settings, planner, projections, idempotency, closers=closers)
            stack.catch_up()
            if planning:
                stack.planning = PlanningService(
                    planner,
                    projections.problem_source(),
                    max_workers=1,
                    after_record=stack.catch_up,
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
