"""The auditors' "as of": the read models as they were at a point of the history, built from
the events up to a notification id or a time into a separate database (default: in memory), so
the live read models are never touched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from domain import TrainingPlanner
from projections.events import decode_state
from projections.runner import Projections


class ReplayError(ValueError):
    """An as-of point the history cannot answer: the field and the rule are named."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


@dataclass
class Replay:
    projections: Projections
    position: int  # the last event applied
    as_of: str | None  # the time asked for, if one was

    def close(self) -> None:
        self.projections.close()


def parse_time(text: str | datetime | date, *, now: datetime | None = None) -> datetime:
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
                "as_of", f"{text!r} is not an ISO 8601 date or time (e.g. 2003-06-30T17:00:00Z)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > (now or datetime.now(UTC)):
        raise ReplayError("as_of", f"{moment.isoformat()} is in the future")
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
    upto: int | None = None,
    as_of: str | datetime | date | None = None,
    into: str = "sqlite://",
    names: list[str] | None = None,
    reader: TrainingPlanner | None = None,
) -> Replay:
    """Builds the read models as they were after event `upto`, or at time `as_of`, into
    `into` (default: an in-memory SQLite database)."""
    if (upto is None) == (as_of is None):
        raise ReplayError(
            "as_of", "give exactly one of --as-of TIMESTAMP or --upto NOTIFICATION_ID"
        )
    projections = Projections(events_url, into, reader=reader)
    try:
        if names:
            projections.select(names)  # an unknown name is refused before any work
        head = projections.head()
        if upto is not None:
            if upto < 0:
                raise ReplayError("upto", "must be 0 or more")
            if upto > head:
                raise ReplayError("upto", f"is beyond the last event of the store ({head})")
            position, label = upto, None
        else:
            assert as_of is not None
            moment = parse_time(as_of)
            position, label = position_at(projections.reader, moment), moment.isoformat()
        if position:
            projections.catch_up(names, upto=position)
        return Replay(projections=projections, position=position, as_of=label)
    except BaseException:
        projections.close()
        raise


def snapshot(result: Replay, names: list[str], limit: int = 1000) -> dict[str, Any]:
    """The rows of some read models of a replay, as plain data."""
    return {name: result.projections.query(name, limit=limit)[0] for name in names}
