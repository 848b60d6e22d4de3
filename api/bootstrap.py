"""The composition root: builds the application, the read models and the planning service from
the settings. Nothing here runs at import time; OR-Tools loads only when a run starts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.settings import Settings, get_settings
from domain import TrainingPlanner

log = logging.getLogger("trainplan")


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
    planner = open_planner(settings)
    stack = Stack(settings=settings, planner=planner, projections=None)
    stack.closers.append(planner.close)
    try:
        stack.projections = open_projections(settings.database_url)
        stack.closers.append(stack.projections.close)
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
