"""Value types and the small checks shared by every aggregate.

Events carry plain JSON values only (strings, numbers, lists, dicts; dates as ISO strings), so
the stored history reads the same to any tool: the audit export, the projections' SQL, a person.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from enum import Enum, StrEnum
from typing import Any

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


# Control characters: C0 but tab and newline, DEL, and C1. A carriage return is allowed only
# as part of a Windows line end (CRLF), which `text` turns into a newline.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CONTROL_RULE = "must not contain control characters other than tab and newline"


def control_character(value: str) -> str | None:
    """The rule `value` breaks if it holds a control character other than tab and newline
    (a CRLF line end counts as a newline), naming the first one and where it is; else None.
    Every text a command takes is checked by this one function (here and at the edge)."""
    found = CONTROL.search(value.replace("\r\n", "\n"))
    if found is None:
        return None
    return f"{CONTROL_RULE} (found U+{ord(found.group()):04X} at character {found.start() + 1})"


def plain(field: str, value: str) -> str:
    """`value` with CRLF line ends as newlines, or an InvalidValue naming the control
    character it holds."""
    rule = control_character(value)
    if rule is not None:
        raise InvalidValue(field, rule)
    return value.replace("\r\n", "\n")


def plain_data(field: str, value: dict[str, Any]) -> dict[str, Any]:
    """A copy of free-form data (a run's settings) whose every text, keys too, is `plain`; an
    InvalidValue names the path to the first that is not (`settings.what_if.close`)."""

    def walk(path: str, item: Any) -> Any:
        if isinstance(item, str):
            return plain(path, item)
        if isinstance(item, dict):
            return {plain(path, str(k)): walk(f"{path}.{k}", v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return type(item)(walk(f"{path}[{i}]", v) for i, v in enumerate(item))
        return item

    copied: dict[str, Any] = walk(field, dict(value))
    return copied


def text(field: str, value: object, *, max_length: int = 2000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, "must not be blank")
    if len(value) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters")
    return plain(field, value.strip())


def optional_text(field: str, value: object, *, max_length: int = 2000) -> str:
    """Text that may be blank (given as "" or None): "" then."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(field, "must be text")
    if len(value) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters")
    return plain(field, value.strip())


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
