"""A facility's schedule of usage from a spreadsheet: read, checked row by row and against the
facility, previewed, imported.

Every row is validated (`api.files.schedule_rows`) and checked against the facility (inside the
period and the facility's life, no more rooms than it has, no clash with another row or a
confirmed training session), and **every** problem is reported at once (`ScheduleRefused`): the
spreadsheet's row number, the column, the value and the rule. A clash names the other row or the
confirmed session (course, title, dates).

`import_schedule` stores the schedule through `TrainingPlanner.submit_schedule` (the aggregate
checks it again, and stays the authority), or with `dry_run=True` only says what would change:
the entries added, replaced and removed. A sheet with a header and no rows would empty the
period: it is refused unless `empty_period=True` says that is meant."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from pydantic_core import PydanticCustomError

from api.files.schedule_rows import (
    COLUMNS,
    DATE_RULE,
    RowError,
    ScheduleRefused,
    SheetEntry,
    parse_day,
    shown,
    validate_rows,
)
from api.files.spreadsheet import SheetUnreadable, read_sheet
from domain import Facility, InvalidValue, TrainingPlanner
from domain.application import check_scope
from domain.calendar import days_between, overlaps

ENTRY_FIELD = re.compile(r"^entries\[(\d+)\](?:\.(\w+))?$")

__all__ = ["RowError", "ScheduleChange", "ScheduleImport", "ScheduleRefused", "import_schedule"]

# --- against the facility ---------------------------------------------------------------------

SessionWords = Callable[[Mapping[str, Any]], str]
"""How a confirmed session is named to a person (course, title, dates)."""


def plain_session_words(session: Mapping[str, Any]) -> str:
    return (
        f"the confirmed session of {session['course_code']} "
        f"({session['starts_on']} to {session['ends_on']})"
    )


def _what(entry: Mapping[str, Any]) -> str:
    return f"{entry['kind']} '{entry['purpose']}', {entry['starts_on']} to {entry['ends_on']}"


def facility_errors(
    facility: Facility,
    first: str,
    last: str,
    entries: list[SheetEntry],
    session_words: SessionWords = plain_session_words,
) -> list[RowError]:
    """What the facility refuses: a row outside the period or the facility's life, more rooms
    than it has, a day on which the rows and the confirmed sessions need more rooms than it has
    (naming the other rows and sessions that day), an earlier entry the period would cut."""
    errors: list[RowError] = []
    for earlier in facility.usage:
        if overlaps(earlier["starts_on"], earlier["ends_on"], first, last) and not (
            first <= earlier["starts_on"] and earlier["ends_on"] <= last
        ):
            errors.append(
                RowError(
                    None,
                    "period",
                    f"{first} to {last}",
                    f"must cover the whole "
                    f"of the earlier {_what(earlier)}, which it would otherwise "
                    "cut in two",
                )
            )
    # rooms in use each day: other usage kept outside the period, then confirmed sessions
    taken: dict[date, list[tuple[str, int]]] = defaultdict(list)
    for earlier in facility.usage:
        if not overlaps(earlier["starts_on"], earlier["ends_on"], first, last):
            for day in days_between(earlier["starts_on"], earlier["ends_on"]):
                taken[day].append((f"the earlier {_what(earlier)}", earlier["rooms"]))
    for session in facility.sessions:
        for day in days_between(session["starts_on"], session["ends_on"]):
            taken[day].append((session_words(session), session["rooms"]))
    for item in entries:
        entry, row = item.entry, item.row
        fits = True
        if entry["starts_on"] < first or entry["ends_on"] > last:
            column = "starts_on" if entry["starts_on"] < first else "ends_on"
            errors.append(
                RowError(
                    row, column, entry[column], f"must lie within the period {first} to {last}"
                )
            )
            fits = False
        if facility.opened_on and entry["starts_on"] < facility.opened_on:
            errors.append(
                RowError(
                    row,
                    "starts_on",
                    entry["starts_on"],
                    f"is before {facility.name} opened on {facility.opened_on}",
                )
            )
            fits = False
        if facility.decommissioned_on and entry["ends_on"] >= facility.decommissioned_on:
            errors.append(
                RowError(
                    row,
                    "ends_on",
                    entry["ends_on"],
                    f"is after {facility.name} closes on {facility.decommissioned_on}",
                )
            )
            fits = False
        rooms = facility.rooms if entry["kind"] == "closure" else entry["rooms"]
        if rooms > facility.rooms:
            errors.append(
                RowError(
                    row,
                    "rooms",
                    str(entry["rooms"]),
                    f"must be at most {facility.rooms}, the rooms {facility.name} has",
                )
            )
            fits = False
        if not fits:
            continue
        for day in days_between(entry["starts_on"], entry["ends_on"]):
            others = taken[day]
            if sum(n for _, n in others) + rooms > facility.rooms:
                names = "; ".join(name for name, _ in others)
                errors.append(
                    RowError(
                        row,
                        "starts_on",
                        entry["starts_on"],
                        f"clashes on {day.isoformat()} with {names}: "
                        f"{sum(n for _, n in others) + rooms} rooms would be in "
                        f"use and {facility.name} has {facility.rooms}",
                    )
                )
                break
        for day in days_between(entry["starts_on"], entry["ends_on"]):
            taken[day].append((f"row {row} ({_what(entry)})", rooms))
    errors.sort(key=lambda e: (e.row or 0, COLUMNS.index(e.column) if e.column in COLUMNS else 9))
    return errors


# --- what would change ------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleChange:
    """What the import changes in the period: entries added, replaced (the same dates and kind
    with another purpose or number of rooms: before and after) and removed, and how many stay
    as they are."""

    added: list[dict[str, Any]] = field(default_factory=list)
    replaced: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "replaced": [{"before": b, "after": a} for b, a in self.replaced],
            "removed": self.removed,
            "unchanged": self.unchanged,
        }

    @property
    def empty(self) -> bool:
        return not (self.added or self.replaced or self.removed)


def change_of(
    current: list[dict[str, Any]], first: str, last: str, new: list[dict[str, Any]]
) -> ScheduleChange:
    """How the usage entries of the period change when `new` replaces them."""
    before = [e for e in current if overlaps(e["starts_on"], e["ends_on"], first, last)]

    def same(e: Mapping[str, Any]) -> tuple[Any, ...]:
        return (e["starts_on"], e["ends_on"], e["kind"], e["purpose"], e["rooms"])

    def slot(e: Mapping[str, Any]) -> tuple[Any, ...]:
        return (e["starts_on"], e["ends_on"], e["kind"])

    left = Counter(same(e) for e in before)
    fresh = []
    unchanged = 0
    for entry in new:
        if left[same(entry)] > 0:
            left[same(entry)] -= 1
            unchanged += 1
        else:
            fresh.append(entry)
    gone = []
    for entry in before:
        if left[same(entry)] > 0:
            left[same(entry)] -= 1
            gone.append(entry)
    added, replaced = [], []
    for entry in fresh:
        match = next((g for g in gone if slot(g) == slot(entry)), None)
        if match is None:
            added.append(entry)
        else:
            gone.remove(match)
            replaced.append((match, entry))
    return ScheduleChange(added, replaced, gone, unchanged)


# --- the import -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleImport:
    """The outcome of an import or a dry run."""

    facility_id: UUID
    facility: str
    period_start: str
    period_end: str
    entries: list[dict[str, Any]]
    change: ScheduleChange
    stored: bool
    version: int
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "facility_id": str(self.facility_id),
            "facility": self.facility,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "rows": self.rows,
            "stored": self.stored,
            "version": self.version,
            **self.change.as_dict(),
        }


def _day(field: str, value: object) -> str:
    try:
        return parse_day(value).isoformat()
    except PydanticCustomError:
        raise InvalidValue(field, DATE_RULE) from None


def import_schedule(
    planner: TrainingPlanner,
    facility_id: UUID,
    data: bytes,
    *,
    period_start: object,
    period_end: object,
    actor: str,
    filename: str | None = None,
    dry_run: bool = False,
    empty_period: bool = False,
    expected_version: int | None = None,
    acting_for: Collection[UUID] | None = None,
    session_words: SessionWords = plain_session_words,
    effective_on: str | date | None = None,
) -> ScheduleImport:
    """Reads the sheet, checks every row, and (unless `dry_run`) submits it as the facility's
    schedule for the period. Raises `ScheduleRefused` with every problem found, the domain's
    errors for the rest (unknown facility, another group's facility, a stale version)."""
    first, last = _day("period_start", period_start), _day("period_end", period_end)
    if last < first:
        raise InvalidValue("period_end", f"must not be before period_start ({first})")
    facility = planner.load(Facility, facility_id)
    check_scope(
        acting_for,
        facility.owning_group_id,
        actor=actor,
        action="submit the schedule of a facility",
    )
    try:
        sheet = read_sheet(data, filename)
    except SheetUnreadable as unreadable:
        raise ScheduleRefused([RowError(None, "file", None, unreadable.rule)]) from None
    entries, errors = validate_rows(sheet)
    if not errors:
        errors = facility_errors(facility, first, last, entries, session_words)
    if not errors and not entries and not empty_period:
        there = sum(overlaps(e["starts_on"], e["ends_on"], first, last) for e in facility.usage)
        errors = [
            RowError(
                None,
                "file",
                None,
                f"has a header and no rows: it would remove every "
                f"entry from {first} to {last} ({there} now); say so explicitly to "
                "empty the period (--empty-period, empty_period=true)",
            )
        ]
    if errors:
        raise ScheduleRefused(errors)
    # in the order the aggregate keeps them, so that its `entries[i]` is our entries[i]
    entries.sort(key=lambda item: (item.entry["starts_on"], item.entry["ends_on"]))
    new = [item.entry for item in entries]
    change = change_of(facility.usage, first, last, new)
    version = facility.version
    if not dry_run:
        try:
            version = planner.submit_schedule(
                facility_id,
                period_start=first,
                period_end=last,
                entries=new,
                actor=actor,
                expected_version=expected_version,
                acting_for=acting_for,
                effective_on=effective_on,
            )
        except InvalidValue as refused:  # the aggregate's own checks, in the sheet's words
            raise ScheduleRefused([_in_rows(refused, entries)]) from refused
    return ScheduleImport(
        facility_id,
        f"{facility.name} ({facility.site})",
        first,
        last,
        new,
        change,
        not dry_run,
        version,
        len(entries),
    )


def _in_rows(refused: InvalidValue, entries: list[SheetEntry]) -> RowError:
    """The aggregate names `entries[i].column`: that is row `entries[i].row` of the sheet."""
    found = ENTRY_FIELD.match(refused.field)
    if found and int(found.group(1)) < len(entries):
        item = entries[int(found.group(1))]
        column = found.group(2)
        return RowError(item.row, column, shown(item.entry.get(column or "")), refused.rule)
    return RowError(None, refused.field, None, refused.rule)
