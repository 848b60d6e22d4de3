"""The composition root: builds the application, the read models and the planning service from
the settings. Nothing here runs at import time; OR-Tools loads only when a run starts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from api.settings import Settings, get_settings
from domain import TrainingPlanner, store_env
from domain.store import is_postgres

log = logging.getLogger("trainplan")


@contextmanager
def starting(settings: Settings) -> Iterator[None]:
    """Serialises start-up on PostgreSQL: several workers starting at once on a fresh database
    would each create the same tables and types at the same moment (and some would fail).
    One holds a session advisory lock while it opens the store and the read models."""
    if not is_postgres(settings.database_url):
        yield
        return
    import psycopg

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


STARTUP_LOCK = 0x7472_6E70  # "trnp"


def open_planner(settings: Settings | None = None) -> TrainingPlanner:
    settings = settings or get_settings()
    return TrainingPlanner.open(settings.database_url)


@dataclass
class Stack:
    """The application with its read models and planning service, for the CLI."""

    settings: Settings
    planner: TrainingPlanner
    projections: Any
    planning: Any = None
    closers: list[Any] = field(default_factory=list)

    def catch_up(self) -> None:
        """After a command: the read models follow the store, new events are sealed."""
        self.projections.catch_up()
        _sealer(self.settings)()

    def close(self) -> None:
        for close in reversed(self.closers):
            try:
                close()
            except Exception:  # closing must never hide the error that brought us here
                log.exception("while closing %s", close)


def open_stack(settings: Settings | None = None, *, planning: bool = True) -> Stack:
    from projections import open_projections

    settings = settings or get_settings()
    with starting(settings):
        planner = open_planner(settings)
        try:
            views = open_projections(settings.database_url)
        except BaseException:
            planner.close()
            raise
    stack = Stack(settings=settings, planner=planner, projections=views)
    stack.closers.append(planner.close)
    stack.closers.append(views.close)
    try:
        stack.catch_up()
        if planning:
            from planning.service import PlanningService

            stack.planning = PlanningService(
                planner,
                stack.projections.problem_source(),
                max_workers=1,
                after_record=stack.catch_up,
            )
            stack.closers.append(stack.planning.shutdown)
            stack.planning.recover()
    except BaseException:
        stack.close()
        raise
    return stack


def _sealer(settings: Settings) -> Callable[[], None]:
    """Seals new events into the tamper-evidence chain (see projections.integrity)."""
    key = settings.seal_key.encode() if settings.seal_key else None

    def seal() -> None:
        from projections import integrity

        try:
            integrity.seal(settings.database_url, key=key)
        except integrity.SealRefused:
            log.exception(
                "the tamper-evidence chain refused new seals: run `trainplan audit verify`"
            )

    return seal
