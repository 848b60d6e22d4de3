"""What a read model is: its tables, the documents it keeps per entity, and the handlers that
change them, each registered against the domain event class it handles.

A `ReadModel` keeps, per entity it follows, a small JSON document (its own state, in
`<name>_docs`), and renders each document into rows of its tables. A handler is a method
decorated with `@handles(Aggregate, "EventName")`: the event class is looked up when the read
model's module is imported, so an event renamed or removed in `domain` stops the import with
its name, rather than silently stopping the read model. `follows` names the aggregates whose
every event the read model handles (a test holds it to that); it may handle single events of
others besides, to keep lookups (a group's code, a venue's rate). An `AppendOnlyReadModel`
takes every event there is and gives each its rows, with no documents."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import orjson
import sqlalchemy as sa
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic
from sqlalchemy.engine import Connection

from projections.database import chunks, dump_doc, insert_rows

Event = dict[str, Any]  # one event as `projections.events.read_events` gives it
Doc = dict[str, Any]
Rows = dict[str, list[dict[str, Any]]]
EventClass = type[Aggregate.Event]
Handler = Callable[[Any, "Docs", Event], None]  # (read model, documents, event)
H = TypeVar("H", bound=Handler)


class UnknownReadModel(ValueError):
    """A read model name that does not exist."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        super().__init__(f"projection {name!r} does not exist; known: {', '.join(sorted(known))}")
        self.name = name


def event_class(aggregate: type[Aggregate], name: str) -> EventClass:
    """`aggregate`'s event class called `name` (`Facility`, "DetailsChanged"): the class a
    `@event("DetailsChanged")` method creates, or one declared inside the aggregate. Raises
    LookupError if the aggregate records no such event."""
    found = getattr(aggregate, name, None)
    if not (isinstance(found, type) and issubclass(found, Aggregate.Event)):
        raise LookupError(f"{aggregate.__name__} has no event {name!r}")
    return found


def topic_of(aggregate: type[Aggregate], name: str) -> str:
    """The topic stored with `aggregate`'s event `name` (what `Event["topic"]` holds)."""
    return get_topic(event_class(aggregate, name))


def handles(aggregate: type[Aggregate], name: str) -> Callable[[H], H]:
    """Registers the decorated method as its read model's handler of `aggregate`'s event
    `name`; the event must exist when the module is imported."""
    cls = event_class(aggregate, name)

    def register(handler: H) -> H:
        handler.__dict__.setdefault("handled_events", []).append(cls)
        return handler

    return register


# --- documents ------------------------------------------------------------------------------


class Docs:
    """The documents of one read model, loaded as a batch needs them and written back by the
    batch.

    `known` (during a rebuild) is the exact set of keys already stored: a key outside it is
    absent without asking the database, and the documents stay cached between batches. A key
    looked up and found absent needs no DELETE when it is first written."""

    def __init__(self, table: sa.Table, *, known: set[str] | None = None) -> None:
        self.table = table
        self.known = known
        self.cache: dict[str, Doc | None] = {}
        self.absent: set[str] = set()  # looked up: not in the database
        self.dirty: set[str] = set()
        self.used: set[str] = set()  # since the last eviction
        self.conn: Connection | None = None

    def prefetch(self, keys: Iterable[str]) -> None:
        wanted = [k for k in set(keys) if k not in self.cache]
        if self.known is not None:
            for key in wanted:
                if key not in self.known:
                    self.cache[key] = None
                    self.absent.add(key)
            wanted = [k for k in wanted if k in self.known]
        for chunk in chunks(sorted(wanted)):
            assert self.conn is not None
            found = {
                row[0]: row[1]
                for row in self.conn.execute(
                    sa.select(self.table.c.doc_key, self.table.c.state).where(
                        self.table.c.doc_key.in_(chunk)
                    )
                )
            }
            for key in chunk:
                if key in found:
                    self.cache[key] = orjson.loads(found[key])
                else:
                    self.cache[key] = None
                    self.absent.add(key)

    def get(self, key: str) -> Doc | None:
        if key not in self.cache:
            self.prefetch([key])
        self.used.add(key)
        return self.cache[key]

    def put(self, key: str, doc: Doc) -> Doc:
        self.cache[key] = doc
        self.dirty.add(key)
        self.used.add(key)
        return doc

    def touch(self, key: str) -> Doc:
        doc = self.get(key)
        if doc is None:
            raise KeyError(key)
        self.dirty.add(key)
        return doc

    def __len__(self) -> int:
        """How many documents are held in memory."""
        return len(self.cache)

    def drop(self, key: str) -> None:
        """Removes the document `key` (written as gone at the next flush)."""
        self.cache[key] = None
        self.dirty.add(key)
        self.used.add(key)

    def cold(self) -> set[str]:
        """The documents held in memory and not used since the last `evict`."""
        return set(self.cache) - self.used

    def evict(self, keys: set[str]) -> None:
        """Forgets the documents `keys`, once written (`flush`): the next use of one reads it
        again. What is used from now on is hot until the next eviction."""
        if keys & self.dirty:
            raise RuntimeError("documents changed and not written cannot be forgotten")
        for key in keys:
            del self.cache[key]
            self.absent.discard(key)
        self.used.clear()

    def flush(self, conn: Connection) -> tuple[list[str], list[str]]:
        """Writes the changed documents. Returns them, and those of them that were stored
        before (whose rendered rows must be replaced)."""
        keys = sorted(self.dirty)
        stored = [key for key in keys if key not in self.absent]
        for chunk in chunks(stored):
            conn.execute(sa.delete(self.table).where(self.table.c.doc_key.in_(chunk)))
        rows = [
            {"doc_key": key, "state": dump_doc(self.cache[key])}
            for key in keys
            if self.cache[key] is not None
        ]
        insert_rows(conn, self.table, rows)
        written = {row["doc_key"] for row in rows}
        self.absent.difference_update(written)
        self.absent.update(key for key in keys if key not in written)
        if self.known is not None:
            self.known.update(written)
            self.known.difference_update(key for key in keys if key not in written)
        self.dirty.clear()
        return keys, stored


# --- read models ----------------------------------------------------------------------------


class ReadModel:
    """One read model: its tables, how events change its documents, how a document becomes
    rows. Handlers are methods decorated with `@handles(...)`; each receives the batch's
    documents and the event, and returns nothing."""

    name: str = ""
    title: str = ""
    follows: ClassVar[tuple[type[Aggregate], ...]] = ()
    """The aggregates whose every event this read model handles."""
    handlers: ClassVar[Mapping[EventClass, str]] = {}
    """Each handled event class and the name of the method that handles it."""
    _by_topic: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[EventClass, str] = {}
        for klass in reversed(cls.__mro__):  # a subclass's handler replaces its base's
            own: dict[EventClass, str] = {}
            for attribute, value in vars(klass).items():
                for event in getattr(value, "handled_events", ()):
                    if event in own:
                        raise TypeError(
                            f"{klass.__name__}: {event.__qualname__} is handled by both "
                            f"{own[event]} and {attribute}"
                        )
                    own[event] = attribute
            found.update(own)
        cls.handlers = found
        cls._by_topic = {get_topic(event): method for event, method in found.items()}

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        """The read model's visible tables, named with `suffix` (empty, or a shadow's). Every
        table has a `doc_key` column: the rows a document renders carry its key."""
        raise NotImplementedError

    def keys(self, event: Event) -> Iterable[str]:
        """Documents to load before the batch is applied (others load on first use)."""
        return (f"{event['entity']}:{event['originator_id']}",)

    def render(self, key: str, doc: Doc, docs: Docs) -> Rows:
        """The rows of one document, per table name."""
        raise NotImplementedError

    renders_prefixes: tuple[str, ...] = ()
    """The kinds of document that have rows (others are the read model's own lookups)."""

    def renders(self, key: str) -> bool:
        return not self.renders_prefixes or key.startswith(self.renders_prefixes)

    def handler(self, event: Event) -> Callable[[Docs, Event], None] | None:
        """The bound handler of this event, by its topic (None: not this read model's)."""
        return self.bound_handlers().get(event["topic"])

    def bound_handlers(self) -> dict[str, Callable[[Docs, Event], None]]:
        """Every bound handler by the topic of the event it handles."""
        bound: dict[str, Callable[[Docs, Event], None]] | None = self.__dict__.get("_bound")
        if bound is None:
            bound = self.__dict__["_bound"] = {
                topic: getattr(self, method) for topic, method in self._by_topic.items()
            }
        return bound


class AppendOnlyReadModel(ReadModel):
    """A read model that only appends: every event there is gives its rows (no documents)."""

    def rows(self, event: Event) -> Rows:
        raise NotImplementedError

    def handler(self, event: Event) -> Callable[[Docs, Event], None] | None:
        return None


# --- a read model bound to its tables -------------------------------------------------------


@dataclass
class Bound:
    """A read model bound to its tables (canonical or shadow)."""

    read_model: ReadModel
    suffix: str
    tables: dict[str, sa.Table]
    docs: sa.Table

    @property
    def name(self) -> str:
        return self.read_model.name

    @property
    def tracking_key(self) -> str:
        return self.read_model.name + self.suffix

    @property
    def all_tables(self) -> list[sa.Table]:
        return [self.docs, *self.tables.values()]


def bind(read_model: ReadModel, metadata: sa.MetaData, suffix: str = "") -> Bound:
    tables = read_model.define(metadata, suffix)
    docs = sa.Table(
        f"{read_model.name}_docs{suffix}",
        metadata,
        sa.Column("doc_key", sa.String(120), primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
    )
    return Bound(read_model=read_model, suffix=suffix, tables=tables, docs=docs)
