"""Value types and the small checks shared by every aggregate.

Events carry plain JSON values only (strings, numbers, lists, dicts; dates as ISO strings), so
the stored history reads the same to any tool: the audit export, the projections' SQL, a person.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from enum import Enum, StrEnum

from domain.errors import InvalidValue


class PriorityLevel(StrEnum):
    """The published four-level scale; Mandated means a legal or policy duty."""

    MANDATED = "Mandated"
    ESSENTIAL = "Essential"
    DESIRABLE = "Desirable"
    OPTIONAL = "Optional"


class DeliveryMode(StrEnum):
    CLASSROOM = "classroom"
    PRACTICAL = "practical"
    BLENDED = "blended"
    E_LEARNING = "e-learning"


class Trigger(StrEnum):
    """Why a training need was raised."""

    EMERGING_PERFORMANCE_ISSUE = "emerging performance issue"
    NEW_LEGISLATION = "new legislation"
    AUDIT_FINDING = "audit finding"
    INCIDENT = "incident"
    POLICY_CHANGE = "policy change"
    TECHNOLOGY_CHANGE = "technology change"
    NEW_ROLE = "new role"
    CONTINUING_COMMITMENT = "continuing commitment"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class UsageKind(StrEnum):
    """An entry in a facility's schedule of usage."""

    BOOKING = "booking"
    CLOSURE = "closure"


def enum_value(field: str, enum: type[Enum], value: object) -> str:
    """The enum's value for `value`, or an InvalidValue naming the allowed ones."""
    try:
        return str(enum(value).value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum)
        raise InvalidValue(field, f"must be one of: {allowed}") from None


def text(field: str, value: object, *, max_length: int = 2000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, "must not be blank")
    if len(value) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters")
    return value.strip()


def whole_number(field: str, value: object, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, "must be a whole number")
    if value < minimum:
        raise InvalidValue(field, f"must be at least {minimum}")
    return value


def amount(field: str, value: object, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidValue(field, "must be a number")
    if value < minimum:
        raise InvalidValue(field, f"must be at least {minimum:g}")
    return float(value)


def iso_date(field: str, value: object) -> str:
    """Accepts a date or an ISO string; returns the ISO string the event will carry."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise InvalidValue(field, "must be a date as YYYY-MM-DD")


def date_range(start_field: str, start: object, end_field: str, end: object) -> tuple[str, str]:
    first, last = iso_date(start_field, start), iso_date(end_field, end)
    if last < first:
        raise InvalidValue(end_field, f"must not be before {start_field} ({first})")
    return first, last


def features(field: str, values: Iterable[object]) -> list[str]:
    """Facility features as a sorted list of distinct lower-case tags."""
    if isinstance(values, str):
        raise InvalidValue(field, "must be a list of feature names")
    return sorted({text(field, value, max_length=80).lower() for value in values})


def reason(value: object) -> str:
    return text("reason", value)


def actor(value: object) -> str:
    return text("actor", value, max_length=200)
