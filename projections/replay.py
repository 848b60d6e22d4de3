"""The auditors' "as of", by either clock: the read models as they were, built from the
history into a separate database (default: in memory), so the live read models are never
touched.

- as effective on a business date (`effective_on`): the events that took effect on or before
  that day, whenever they were recorded (a back-dated entry counts from its business date);
- as recorded at a time (`recorded_at`), or after a position (`upto`): the events the store
  held then, whatever their business dates;
- both: what the store held at that time about what had taken effect by that date.

Every aggregate's events are in order of their business dates (`domain.dated`), so the events
effective by a date are a prefix of each aggregate's history: the replay shows states that
really existed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from psycopg.sql import SQL, Identifier

from domain import TrainingPlanner
from domain.dated import effective_on_of
from projections.batches import apply_batches
from projections.events import decode_state, read_events
from projections.read_model import Bound, Docs
from projections.runner import BATCH, Projections


class ReplayError(ValueError):
    """An as-of point the history cannot answer: the field and the rule are named."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


@dataclass
class Replay:
    projections: Projections
    position: int  # the last event of the history considered (as recorded at / up to)
    recorded_at: str | None = None  # the recording time asked for, if one was
    effective_on: str | None = None  # the business date asked for, if one was
    upto: int | None = None  # the last event asked for, if one was
    events_applied: int = 0  # the events applied: considered, and effective by the date
    events_total: int = 0  # the events in the store now
    rows: dict[str, int] = field(default_factory=dict)  # each read model's rows
    tables: dict[str, int] = field(default_factory=dict)  # each table's rows

    @property
    def as_of(self) -> str | None:
        """The point asked for, in words: the business date, the recording time, or both."""
        parts = []
        if self.effective_on:
            parts.append(f"effective on {self.effective_on}")
        if self.recorded_at:
            parts.append(f"as recorded at {self.recorded_at}")
        if self.upto is not None:
            parts.append(f"after event {self.upto:,}")
        return ", ".join(parts) or None

    def as_dict(self) -> dict[str, Any]:
        return {
            "effective_on": self.effective_on,
            "recorded_at": self.recorded_at,
            "upto": self.upto,
            "position": self.position,
            "events_applied": self.events_applied,
            "events_total": self.events_total,
            "read_models": self.rows,
            "tables": self.tables,
        }

    def close(self) -> None:
        self.projections.close()


def parse_day(text: str | date, *, field: str = "as_of", today: date | None = None) -> date:
    """A business date: YYYY-MM-DD (a date-time counts as its UTC day). Not in the future."""
    if isinstance(text, datetime):
        day = (text if text.tzinfo else text.replace(tzinfo=UTC)).astimezone(UTC).date()
    elif isinstance(text, date):
        day = text
    elif "T" in text or ":" in text:  # a date-time: its UTC day
        day = parse_time(text, field=field).astimezone(UTC).date()
    else:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise ReplayError(field, f"{text!r} is not a date as YYYY-MM-DD") from None
    if day > (today or datetime.now(UTC).date()):
        raise ReplayError(field, f"{day.isoformat()} is in the future")
    return day


def parse_time(
    text: str | datetime | date, *, now: datetime | None = None, field: str = "recorded_at"
) -> datetime:
    """An ISO 8601 date or date-time; a naive one is UTC. A time in the future is refused."""
    if isinstance(text, datetime):
        moment = text
    elif isinstance(text, date):
        moment = datetime(text.year, text.month, text.day, 23, 59, 59, 999999)
    else:
        raw = text.strip()
        try:
            if len(raw) == 10:  # a whole day: as it stood at the end of that day
                day = date.fromisoformat(raw)
                moment = datetime(day.year, day.month, day.day, 23, 59, 59, 999999)
            else:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ReplayError(
                field, f"{text!r} is not an ISO 8601 date or time (e.g. 2003-06-30T17:00:00Z)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > (now or datetime.now(UTC)):
        raise ReplayError(field, f"{moment.isoformat()} is in the future")
    return moment


def _time_of(reader: TrainingPlanner, position: int) -> tuple[int, datetime] | None:
    """The first event at or after `position`, with its time."""
    found = reader.recorder.select_notifications(start=position, limit=1)
    if not found:
        return None
    stamp = decode_state(found[0].state)["timestamp"]
    return found[0].id, datetime.fromisoformat(stamp)


def position_at(reader: TrainingPlanner, moment: datetime) -> int:
    """The last notification id recorded at or before `moment` (0: none). Events are appended
    in time order, so a binary search over positions finds it in a few dozen reads."""
    head = int(reader.recorder.max_notification_id() or 0)
    low, high, best = 1, head, 0
    while low <= high:
        middle = (low + high) // 2
        found = _time_of(reader, middle)
        if found is None:
            high = middle - 1
            continue
        position, stamp = found
        if stamp <= moment:
            best = max(best, position)
            low = position + 1
        else:
            high = middle - 1
    return best


def replay(
    events_url: str,
    *,
    effective_on: str | date | None = None,
    recorded_at: str | datetime | date | None = None,
    upto: int | None = None,
    into: str = "sqlite://",
    names: list[str] | None = None,
    reader: TrainingPlanner | None = None,
) -> Replay:
    """Builds the read models as effective on a business date, as recorded at a time (or after
    event `upto`), or both, into `into` (default: an in-memory SQLite database)."""
    if effective_on is None and recorded_at is None and upto is None:
        raise ReplayError(
            "as_of", "give --as-of DATE, --recorded-at TIMESTAMP or --upto ID (or a date with one "
            "of the others)"
        )  # fmt: skip
    if recorded_at is not None and upto is not None:
        raise ReplayError("upto", "give either --recorded-at or --upto, not both")
    day = None if effective_on is None else parse_day(effective_on).isoformat()
    projections = Projections(events_url, into, reader=reader)
    try:
        bounds = projections.select(names)  # an unknown name is refused before any work
        head = projections.head()
        moment = None
        if upto is not None:
            if upto < 0:
                raise ReplayError("upto", "must be 0 or more")
            if upto > head:
                raise ReplayError("upto", f"is beyond the last event of the store ({head})")
            position = upto
        elif recorded_at is not None:
            moment = parse_time(recorded_at)
            position = position_at(projections.reader, moment)
        else:
            position = head
        applied = _apply(projections, bounds, position, day)
        counted = {b.name: _rows(projections, b) for b in bounds}
        return Replay(
            projections=projections,
            position=position,
            recorded_at=None if moment is None else moment.isoformat(),
            effective_on=day,
            upto=upto,
            events_applied=applied,
            events_total=_count(projections, head),
            rows={b.name: sum(counted[b.name].values()) for b in bounds},
            tables={name: n for b in bounds for name, n in counted[b.name].items()},
        )
    except BaseException:
        projections.close()
        raise


def _apply(projections: Projections, bounds: list[Bound], position: int, day: str | None) -> int:
    """Applies the events up to `position` (those effective on or before `day`, if given)."""
    after, applied = 0, 0
    while after < position:
        events = read_events(projections.reader, after=after, limit=BATCH, upto=position)
        if not events:
            break
        after = events[-1]["id"]
        chosen = [e for e in events if day is None or effective_on_of(e["state"]) <= day]
        if chosen:
            docs = {b.tracking_key: Docs(b.docs) for b in bounds}
            with projections.engine.begin() as conn:
                apply_batches(conn, bounds, chosen, docs)
            applied += len(chosen)
    return applied


def _count(projections: Projections, head: int) -> int:
    """How many events the store holds (positions may have gaps on PostgreSQL)."""
    recorder: Any = projections.reader.recorder
    module, table = type(recorder).__module__, recorder.events_table_name
    if module.startswith("eventsourcing.postgres"):
        statement = SQL("SELECT COUNT(*) AS n FROM {schema}.{table}").format(
            schema=Identifier(recorder.datastore.schema), table=Identifier(table)
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement)
            return int(cursor.fetchone()["n"])
    if module.startswith("eventsourcing.sqlite"):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            return int(cursor.fetchone()[0])
    return head


def _rows(projections: Projections, bound: Bound) -> dict[str, int]:
    """The rows of each of one read model's tables."""
    with projections.engine.connect() as conn:
        return {
            name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)
            for name, table in bound.tables.items()
        }


def snapshot(result: Replay, names: list[str], limit: int = 1000) -> dict[str, Any]:
    """The rows of some read models of a replay, as plain data."""
    return {name: result.projections.query(name, limit=limit)[0] for name in names}
