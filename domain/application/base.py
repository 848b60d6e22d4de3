"""What every command of the application stands on: loading an aggregate checked to be of its
kind and at the version the caller read, saving one or several aggregates in one atomic write,
and the check that a planner or board chair acts for their own business group."""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import date
from typing import Any, Self, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording
from eventsourcing.persistence import InternalError as PersistenceInternalError
from eventsourcing.persistence import OperationalError as PersistenceOperationalError

from domain.centres import DeliveryCentreProposal
from domain.cycles import PlanningCycle
from domain.dated import effective_on_of
from domain.errors import DomainError, DuplicateKey, NotFound, VersionConflict
from domain.facilities import Facility
from domain.groups import BusinessGroup
from domain.needs import TrainingNeed
from domain.store import store_env
from domain.trainers import TrainerPool

A = TypeVar("A", bound=Aggregate)

Day = str | date
"""A day as a command takes it: a date, or its ISO text (the aggregate checks it)."""

KIND_NAMES = {
    BusinessGroup: "business group",
    TrainingNeed: "training need",
    Facility: "facility",
    DeliveryCentreProposal: "delivery centre proposal",
    PlanningCycle: "planning cycle",
    TrainerPool: "trainer pool",
}


class OutsideScope(DomainError):
    """The caller acts for some business groups only (a planner, a board chair), and the
    command concerns another group's business (or no group's)."""

    def __init__(self, actor: str, action: str) -> None:
        super().__init__(f"{actor} may not {action} for another business group")
        self.actor = actor
        self.action = action


def check_scope(
    acting_for: Collection[UUID] | None, group_id: UUID | None, *, actor: str, action: str
) -> None:
    """Refuses (OutsideScope) unless the caller may act for `group_id`; None: for any group."""
    if acting_for is not None and (group_id is None or group_id not in acting_for):
        raise OutsideScope(actor, action)


def check_version(aggregate: Aggregate, expected_version: int | None) -> None:
    """Refuses (VersionConflict) unless the aggregate is at the version the caller read."""
    if expected_version is not None and aggregate.version != expected_version:
        label = KIND_NAMES.get(type(aggregate), type(aggregate).__name__)
        raise VersionConflict(label, aggregate.id, expected_version, aggregate.version)


class PlannerBase(Application[UUID]):
    """The eventsourcing Application the command modules extend (see `TrainingPlanner`)."""

    FIRST_EVENTS_KEPT = 10_000
    """How many aggregates' first events `require` keeps (0: none, each call reads)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._first_events: dict[UUID, tuple[type, str]] = {}

    @classmethod
    def open(cls, url: str, attempts: int = 5) -> Self:
        """The application on the store at `url`. Opening creates the store's tables if they
        are missing; on PostgreSQL two processes doing that at the same moment (several API
        workers starting together) can meet "tuple concurrently updated": the loser retries."""
        for attempt in range(attempts):
            try:
                return cls(env=store_env(url))
            except (PersistenceInternalError, PersistenceOperationalError):
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    # --- loading and saving -----------------------------------------------------------------

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's `Application.save` (collect, record, snapshot, notify), collecting
        an aggregate's events without the library's runtime protocol checks (two per object,
        a tenth of a command's CPU, measured); anything else goes the library's way."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            else:
                processing_event.collect_events(obj)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, as it calls it
        return recordings

    def load(self, kind: type[A], aggregate_id: UUID, expected_version: int | None = None) -> A:
        """The aggregate, checked to be of `kind` and at the version the caller read."""
        label = KIND_NAMES.get(kind, kind.__name__)
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(label, aggregate_id) from None
        if not isinstance(aggregate, kind):
            raise NotFound(label, aggregate_id)
        check_version(aggregate, expected_version)
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def require(self, kind: type[Aggregate], aggregate_id: UUID) -> str:
        """Checks that an aggregate of `kind` exists, from its first event alone (a command
        that only refers to it need not replay its history); the date it took effect.

        A first event never changes once stored, so what it says (its topic, its date) is kept
        for the next command that refers to the same aggregate (up to FIRST_EVENTS_KEPT of
        them; then they are forgotten and kept afresh): a save per command instead of a read
        and a save.
        Only stored events are kept; an aggregate not found is looked for again next time."""
        kept = self._first_events.get(aggregate_id)
        if kept is None:
            first = self.recorder.select_events(aggregate_id, limit=1)
            if not first:
                raise NotFound(KIND_NAMES.get(kind, kind.__name__), aggregate_id)
            event = self.mapper.to_domain_event(first[0])
            kept = type(event), effective_on_of(vars(event))
            if self.FIRST_EVENTS_KEPT:
                if len(self._first_events) >= self.FIRST_EVENTS_KEPT:
                    self._first_events.clear()
                self._first_events[aggregate_id] = kept
        event_class, effective_on = kept
        if not issubclass(event_class, kind.Event):
            raise NotFound(KIND_NAMES.get(kind, kind.__name__), aggregate_id)
        return effective_on

    def store(self, *aggregates: Aggregate) -> None:
        """Saves all pending events of `aggregates` in one atomic write. If another writer got
        there first, nothing is saved and the stale aggregate is named in a VersionConflict."""
        read_versions = {
            aggregate.id: aggregate.version - len(aggregate.pending_events)
            for aggregate in aggregates
        }
        try:
            self.save(*aggregates)
        except IntegrityError:
            for aggregate in aggregates:
                try:
                    stored: int = self.repository.get(aggregate.id).version
                except AggregateNotFoundError:
                    continue
                if stored != read_versions[aggregate.id]:
                    label = KIND_NAMES.get(type(aggregate), type(aggregate).__name__)
                    raise VersionConflict(
                        label, aggregate.id, read_versions[aggregate.id], stored
                    ) from None
            raise

    def _create(self, aggregate: A, kind: str, key: str) -> UUID:
        if self.exists(aggregate.id):
            raise DuplicateKey(kind, key)
        try:
            self.save(aggregate)
        except IntegrityError:
            raise DuplicateKey(kind, key) from None
        return aggregate.id

    def _stored(self, aggregate: Aggregate) -> int:
        """Saves the changed aggregate; its new version."""
        self.store(aggregate)
        return aggregate.version
