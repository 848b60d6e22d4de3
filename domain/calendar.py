"""Calendar facts every layer counts the same way: days in a range, working days (Monday to
Friday), a session's consecutive working days, and whether two date ranges overlap.

Dates may be given as `datetime.date` or as ISO strings (events carry ISO strings)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

DayLike = date | str


def as_date(day: DayLike) -> date:
    return day if isinstance(day, date) else date.fromisoformat(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def days_between(first: DayLike, last: DayLike) -> list[date]:
    """Every calendar day from `first` to `last`, both included."""
    start, end = as_date(first), as_date(last)
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def working_days(first: DayLike, last: DayLike) -> list[date]:
    """The working days from `first` to `last`, both included."""
    return [day for day in days_between(first, last) if is_working_day(day)]


def add_working_days(first: date, count: int) -> list[date]:
    """`count` consecutive working days from `first` (itself a working day)."""
    return list(_working_run(first, count))


@lru_cache(maxsize=65_536)
def _working_run(first: date, count: int) -> tuple[date, ...]:
    # the planning model asks for the same runs hundreds of thousands of times
    days: list[date] = []
    day = first
    while len(days) < count:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def overlaps(first: DayLike, last: DayLike, other_first: DayLike, other_last: DayLike) -> bool:
    """Whether [first, last] and [other_first, other_last] share a day (ends included)."""
    return as_date(first) <= as_date(other_last) and as_date(other_first) <= as_date(last)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
