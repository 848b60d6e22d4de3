"""The rows of a schedule-of-usage sheet, each checked on its own (pydantic): the columns
`starts_on`, `ends_on`, `purpose`, and optionally `kind` (booking or closure, any case; blank is a
booking) and `rooms` (blank is 1). Dates are `YYYY-MM-DD`, `DD/MM/YYYY` or an .xlsx sheet's real
dates. Every problem is kept, as a `RowError` naming the spreadsheet's row, the column, the value
and the rule; `ScheduleRefused` carries them all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from api.files.spreadsheet import Sheet
from domain import InvalidValue
from domain.values import control_character

COLUMNS = ("starts_on", "ends_on", "kind", "purpose", "rooms")
REQUIRED = ("starts_on", "ends_on", "purpose")
ALIASES = {
    "start": "starts_on",
    "starts": "starts_on",
    "start_date": "starts_on",
    "first_day": "starts_on",
    "from": "starts_on",
    "end": "ends_on",
    "ends": "ends_on",
    "end_date": "ends_on",
    "last_day": "ends_on",
    "to": "ends_on",
    "type": "kind",
    "description": "purpose",
    "room": "rooms",
}
DATE_RULE = "must be a date: YYYY-MM-DD or DD/MM/YYYY"
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

# --- errors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem with the sheet: the spreadsheet's row (1 is the header; None for the whole
    file), the column, the value found and the rule it breaks."""

    row: int | None
    column: str | None
    value: str | None
    rule: str

    @property
    def field(self) -> str:
        if self.row is None:
            return self.column or "file"
        return f"row {self.row}" + (f", {self.column}" if self.column else "")

    def __str__(self) -> str:
        shown = "" if self.value is None else f" {self.value!r}"
        return f"{self.field}{shown}: {self.rule}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "rule": self.rule,
        }


class ScheduleRefused(InvalidValue):
    """The sheet breaks rules: every problem found, in row order. Nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        first = errors[0]
        super().__init__(first.field, first.rule)
        self.errors = errors
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        self.message = f"{first}{more}"
        self.args = (self.message,)


def shown(value: object) -> str | None:
    if value is None:
        return None
    text = value.isoformat()[:10] if isinstance(value, date) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --- one row ----------------------------------------------------------------------------------


def _rule(message: str) -> PydanticCustomError:
    return PydanticCustomError("schedule_rule", message)


def parse_day(value: object) -> date:
    """A sheet's date: a real date (.xlsx), `YYYY-MM-DD` or `DD/MM/YYYY`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _rule("must be given: YYYY-MM-DD or DD/MM/YYYY")
    if isinstance(value, str):
        text = value.strip()
        uk = UK_DATE.match(text)
        try:
            if uk:
                day, month, year = (int(part) for part in uk.groups())
                return date(year, month, day)
            if len(text) == 10:
                return date.fromisoformat(text)
        except ValueError:
            pass
    raise _rule(DATE_RULE)


class ScheduleRow(BaseModel):
    """One booking or closure as a sheet gives it."""

    model_config = ConfigDict(extra="forbid")

    starts_on: date
    ends_on: date
    kind: Literal["booking", "closure"] = "booking"
    purpose: str
    rooms: int = 1

    @field_validator("starts_on", mode="before")
    @classmethod
    def _starts(cls, value: object) -> date:
        return parse_day(value)

    @field_validator("ends_on", mode="before")
    @classmethod
    def _ends(cls, value: object, info: ValidationInfo) -> date:
        day = parse_day(value)
        first = info.data.get("starts_on")
        if isinstance(first, date) and day < first:
            raise _rule(f"must not be before starts_on ({first.isoformat()})")
        return day

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> str:
        text = "" if value is None else str(value).strip().lower()
        rule = control_character(text)
        if rule is not None:
            raise _rule(rule)
        if text in ("", "booking"):
            return "booking"
        if text == "closure":
            return "closure"
        raise _rule("must be booking or closure (any case), or blank for a booking")

    @field_validator("purpose", mode="before")
    @classmethod
    def _purpose(cls, value: object) -> str:
        text = "" if value is None else shown(value) if isinstance(value, date) else str(value)
        rule = control_character(text or "")
        if rule is not None:
            raise _rule(rule)
        text = " ".join((text or "").split())
        if not text:
            raise _rule("must say what the room is used for (not blank)")
        if len(text) > 300:
            raise _rule("must be at most 300 characters")
        return text

    @field_validator("rooms", mode="before")
    @classmethod
    def _rooms(cls, value: object) -> int:
        if value is None or (isinstance(value, str) and not value.strip()):
            return 1
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
        if number is None or number != int(number) or not 1 <= number <= 10_000:
            raise _rule("must be a whole number of rooms from 1, or blank for 1")
        return int(number)

    def entry(self) -> dict[str, Any]:
        """The entry as `TrainingPlanner.submit_schedule` takes it."""
        return {
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "kind": self.kind,
            "purpose": self.purpose,
            "rooms": self.rooms,
        }


@dataclass(frozen=True)
class SheetEntry:
    """A valid row of the sheet: its spreadsheet row number and its entry."""

    row: int
    entry: dict[str, Any]


def header_errors(sheet: Sheet) -> tuple[dict[str, str], list[RowError]]:
    """The sheet's columns mapped to the schedule's (aliases allowed), and what is wrong with
    the header: a required column missing, an unknown or repeated one."""
    mapping: dict[str, str] = {}
    errors: list[RowError] = []
    for name in sheet.header:
        if not name:
            continue
        column = ALIASES.get(name, name)
        if column not in COLUMNS:
            errors.append(
                RowError(
                    1,
                    name,
                    name,
                    f"unknown column; the columns are "
                    f"{', '.join(COLUMNS)} (kind and rooms optional)",
                )
            )
        elif column in mapping.values():
            errors.append(RowError(1, name, name, f"names the column {column} a second time"))
        else:
            mapping[name] = column
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        errors.insert(
            0,
            RowError(
                1,
                None,
                None,
                f"the header must name {', '.join(REQUIRED)} "
                f"(and may name kind, rooms); missing: {', '.join(missing)}",
            ),
        )
    return mapping, errors


def validate_rows(sheet: Sheet) -> tuple[list[SheetEntry], list[RowError]]:
    """Every row through `ScheduleRow`: the valid entries, and every error of every row."""
    mapping, errors = header_errors(sheet)
    if errors:
        return [], errors
    entries: list[SheetEntry] = []
    for row in sheet.rows:
        values = {mapping.get(k, k): v for k, v in row.cells.items()}
        try:
            entries.append(SheetEntry(row.number, ScheduleRow.model_validate(values).entry()))
        except ValidationError as invalid:
            for item in invalid.errors():
                column = str(item["loc"][0]) if item["loc"] else None
                rule = item["msg"]
                if item["type"] == "missing":
                    rule = "must not be blank"
                elif item["type"] == "extra_forbidden":
                    rule = "is a cell outside the named columns; give it a header or clear it"
                errors.append(RowError(row.number, column, shown(values.get(column or "")), rule))
    return entries, errors
