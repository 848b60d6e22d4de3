"""Saving the history: the aggregates' new events, collected in the order the application would
save them, go to the store through `TrainingPlanner.save` in transactions of about `batch`
events. Exactly `target` events are stored: the history stops when none is left."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable

from eventsourcing.domain import Aggregate, DomainEventProtocol

from bench.force.timeline import SimulatedClock
from domain import TrainingPlanner

PROGRESS_EVERY = 100_000  # events
# On PostgreSQL the library inserts a save's events in one pipeline; one of 5,000 events with
# a few large runs among them never returns (the client and the server both wait to be read:
# seen at the fourth save of seed 1), so a save there holds at most this many events.
POSTGRES_SAVE = 500


class Full(Exception):
    """The history has all its events."""


class Writer:
    def __init__(
        self,
        planner: TrainingPlanner,
        target: int,
        *,
        batch: int,
        clock: SimulatedClock,
        progress: Callable[[str], None],
    ) -> None:
        self.planner = planner
        self.target = target
        self.batch = batch
        self.clock = clock
        self.progress = progress
        self.buffer: list[DomainEventProtocol] = []
        self.saved = 0
        self.kinds: Counter[str] = Counter()
        self.started = time.perf_counter()
        self.last_report = 0

    @property
    def made(self) -> int:
        return self.saved + len(self.buffer)

    @property
    def remaining(self) -> int:
        return self.target - self.made

    def emit(self, *aggregates: Aggregate) -> None:
        """Collects the aggregates' new events, in the order the application would save them."""
        self.append(event for aggregate in aggregates for event in aggregate.collect_events())

    def append(self, events: Iterable[DomainEventProtocol]) -> None:
        for event in events:
            self.buffer.append(event)
            self.kinds[type(event).__qualname__] += 1
        if self.made > self.target:  # a bug in the history, never expected
            raise AssertionError(f"made {self.made} events, more than {self.target}")

    def room(self, events: int = 1) -> bool:
        """True if `events` more events fit; raises Full when none do."""
        if self.remaining <= 0:
            raise Full
        return self.remaining >= events

    def flush(self, *, when_full: bool = False) -> None:
        """Saves what is collected (with `when_full`, only once a batch is collected)."""
        if when_full and len(self.buffer) < self.batch:
            return
        if self.buffer:
            postgres = type(self.planner.recorder).__module__.startswith("eventsourcing.postgres")
            step = POSTGRES_SAVE if postgres else len(self.buffer)
            for start in range(0, len(self.buffer), step):
                self.planner.save(*self.buffer[start : start + step])
            self.saved += len(self.buffer)
            self.buffer = []
        if self.saved - self.last_report >= PROGRESS_EVERY or self.saved == self.target:
            self.last_report = self.saved
            rate = self.saved / max(time.perf_counter() - self.started, 1e-9)
            self.progress(
                f"  {self.saved:>9,} events  at {self.clock.now:%Y-%m-%d}  {rate:,.0f} events/s"
            )
