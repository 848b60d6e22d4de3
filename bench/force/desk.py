"""The product's application over the history's aggregates in memory.

A command that spans several aggregates, such as `TrainingPlanner.publish_prospectus` (the
cycle, then every facility confirming its sessions, then every need scheduled, in one write),
is run by the application itself rather than copied here. This subclass changes only where
aggregates come from and where their events go: a command loads the aggregates the history
holds in memory (the library's aggregate cache, never fast-forwarded from a store) instead of
replaying them, and `save` hands the new events to the history's writer, which saves them in
its next batch, instead of writing them at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import Recording

from bench.force.writer import Writer
from domain import TrainingPlanner

IN_MEMORY = {
    "PERSISTENCE_MODULE": "eventsourcing.popo",  # nothing is stored: `save` goes to the writer
    "AGGREGATE_CACHE_MAXSIZE": "0",  # an unbounded cache: what is held stays until let go
    "AGGREGATE_CACHE_FASTFORWARD": "n",  # no store to catch up from
    "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",  # the command changes the history's own objects
}


class InMemoryPlanner(TrainingPlanner):
    def __init__(self, writer: Writer) -> None:
        super().__init__(env=IN_MEMORY)
        self.writer = writer

    @contextmanager
    def holding(self, aggregates: Iterable[Aggregate]) -> Iterator[InMemoryPlanner]:
        """The application with `aggregates` loadable, for the block only."""
        cache = self.repository.cache
        if cache is None:
            raise AssertionError("the in-memory planner needs the aggregate cache")
        held = {aggregate.id: aggregate for aggregate in aggregates}
        for aggregate_id, aggregate in held.items():
            cache.put(aggregate_id, aggregate)
        try:
            yield self
        finally:
            for aggregate_id in held:
                cache.get(aggregate_id, evict=True)

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """The new events go to the history's writer, in the order the application gives."""
        collected: ProcessingEvent[UUID] = ProcessingEvent()
        collected.collect_events(*objs, **kwargs)
        self.writer.append(collected.events)
        return []
