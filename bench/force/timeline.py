"""Simulated time: a clock for the aggregates, seeded ids, and the queue of commands in time
order.

The history is deterministic for a seed: a seeded random generator drives it through a
time-ordered queue of commands; the aggregates' clock is a simulated one (events are stamped
with the simulated date, 1 ms apart) and new aggregate ids come from a second seeded
generator."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import eventsourcing.domain as es_domain

Action = Callable[..., None]


def at(day: date, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=es_domain.TZINFO)


def cycle_name(year: int) -> str:
    """The annual L&D plan from April `year`: 2003/04."""
    return f"{year}/{(year + 1) % 100:02d}"


def month_span(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def cycle_months(year: int) -> list[tuple[int, int]]:
    return [(year + (m < 4), m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


class SimulatedClock:
    """The aggregates' clock: each event is stamped 1 ms after the one before, never before
    the time of the command that makes it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance_to(self, moment: datetime) -> None:
        if moment > self.now:
            self.now = moment

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@contextmanager
def simulated(clock: SimulatedClock, ids: random.Random) -> Iterator[None]:
    """Patches the eventsourcing library's clock and its uuid4 (used for new aggregate ids
    that have no natural key: needs and centre proposals) for the duration."""
    saved = es_domain.datetime_now_with_tzinfo, es_domain.uuid4
    es_domain.datetime_now_with_tzinfo = clock
    es_domain.uuid4 = lambda: UUID(int=ids.getrandbits(128), version=4)
    try:
        yield
    finally:
        es_domain.datetime_now_with_tzinfo, es_domain.uuid4 = saved


class Timeline:
    """The simulated clock, the seeded generators and the queue of commands still to run."""

    def __init__(self, seed: int, start: datetime) -> None:
        self.rng = random.Random(f"trainplan-history:{seed}")
        self.ids = random.Random(f"trainplan-history-ids:{seed}")
        self.clock = SimulatedClock(start)
        self.queue: list[tuple[datetime, int, Action, tuple[Any, ...]]] = []
        self.sequence = 0

    def later(self, moment: datetime, action: Action, *args: Any) -> None:
        heapq.heappush(self.queue, (moment, self.sequence, action, args))
        self.sequence += 1

    def next(self) -> tuple[Action, tuple[Any, ...]] | None:
        """The next command, with the clock moved to its time; None when none is left."""
        if not self.queue:
            return None
        moment, _, action, args = heapq.heappop(self.queue)
        self.clock.advance_to(moment)
        return action, args

    def jitter(self, day: date, first_hour: int = 8, last_hour: int = 17) -> datetime:
        """A moment in working hours on `day`."""
        return at(
            day,
            self.rng.randint(first_hour, last_hour - 1),
            self.rng.randint(0, 59),
            self.rng.randint(0, 59),
        )

    def some_day(self, first: date, last: date) -> date:
        return date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))

    def today(self) -> date:
        return self.clock.now.date()
