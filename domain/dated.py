"""Two clocks on every event: the time the store recorded it (`timestamp`, set by the aggregate
when the event is made, never by a caller) and the business date it takes effect
(`effective_on`, given by the command, by default the day it is recorded).

An auditor replays the history "as effective on" a date or "as recorded at" a time; an entry
made today about a decision of last spring (a back-dated entry) shows both.

The rules, checked before anything is recorded (an `InvalidValue` naming `effective_on`):
- a step cannot take effect after the day it is recorded (UTC);
- a step cannot take effect before the facts it depends on: before the last step of the same
  aggregate (a need cannot be prioritised effective before its analysis took effect, a
  prospectus cannot be published effective before its run was recorded), nor before the
  registration of what it refers to (a need before its business group). Every aggregate's
  history is therefore in order of its effective dates, so the events effective on or before a
  date are a prefix of each aggregate's history, and a replay as effective on that date shows
  states that really existed.

Events stored before `effective_on` existed carry none: they take effect on the day they were
recorded."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate

from domain import values as v
from domain.errors import InvalidValue

FIELD = "effective_on"


def recorded_day(moment: datetime) -> str:
    """The (UTC) day of a recording time, as ISO text."""
    return moment.astimezone(UTC).date().isoformat()


def today() -> str:
    return recorded_day(datetime.now(UTC))


def effective_day(value: object, *, recorded_on: str | None = None) -> str:
    """The date a command's step takes effect: `value` (a date or its ISO text), or the day it
    is recorded if None. Refused if it lies after the day it is recorded."""
    recorded_on = recorded_on or today()
    if value is None or value == "":
        return recorded_on
    day = v.iso_date(FIELD, value)
    if day > recorded_on:
        raise InvalidValue(
            FIELD,
            f"{day} is after {recorded_on}, the day it is recorded: "
            "a step cannot take effect in the future of its recording",
        )
    return day


def effective_on_of(state: dict[str, Any]) -> str:
    """An event's business date from its stored state (plain JSON): its `effective_on`, or for
    an event stored before there was one, the day it was recorded."""
    day = state.get(FIELD)
    if day:
        return str(day)
    stamp = state.get("timestamp")
    if isinstance(stamp, datetime):
        return recorded_day(stamp)
    return recorded_day(datetime.fromisoformat(str(stamp)))


def step_words(event_name: str) -> str:
    """`AnalysisRecorded` -> `analysis recorded`."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", event_name).lower()


class DatedAggregate(Aggregate):
    """An aggregate whose every event carries `effective_on` beside its recording time.

    A command method calls `take_effect(day)` before it triggers its events (the application's
    commands do, with the date their caller gave); events triggered without it take effect on
    the day they are recorded. A creating command passes `effective_on` to `__init__`."""

    kind = "aggregate"  # the aggregate's name in people's words, for error messages
    effective_on = ""  # the business date of the last event applied
    last_step = ""  # the name of the last event applied
    _next_effective_on = ""  # set by take_effect for the events of one command

    class Event(Aggregate.Event):
        effective_on: str

        def apply(self, aggregate: Any) -> None:
            day = self.__dict__.get(FIELD) or recorded_day(self.timestamp)
            aggregate.effective_on = day
            aggregate.last_step = type(self).__name__

    def take_effect(self, effective_on: object = None) -> str:
        """Sets the date the next events of this command take effect, after checking it: not
        after today, not before this aggregate's last step took effect."""
        day = effective_day(effective_on)
        named = getattr(self, "title", None) or getattr(self, "name", None)
        label = f"{self.kind} '{named}'" if named else self.kind
        last = f"the last step of {label} ({step_words(self.last_step)})"
        self.check_not_before(day, self.effective_on, last)
        self._next_effective_on = day
        return day

    @staticmethod
    def check_not_before(day: str, earliest: str, what: str) -> None:
        if earliest and day < earliest:
            raise InvalidValue(
                FIELD,
                f"{day} is before {earliest}, when {what} took effect: "
                "a step cannot take effect before the facts it depends on",
            )

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        if kwargs.get("timestamp") is None:
            kwargs["timestamp"] = event_class.create_timestamp()
        if not kwargs.get(FIELD):
            kwargs[FIELD] = self._next_effective_on or recorded_day(kwargs["timestamp"])
        super().trigger_event(event_class, **kwargs)

    def collect_events(self) -> Sequence[CanMutateAggregate[UUID]]:
        self._next_effective_on = ""  # the command is over once its events are saved
        return super().collect_events()
