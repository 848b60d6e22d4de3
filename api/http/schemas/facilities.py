from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from api.http.schemas.common import Body, Command, Day, PlainText, Reason, Written

Feature = Annotated[PlainText, Field(min_length=1, max_length=80)]


class FacilityRegistration(Command):
    name: PlainText = Field(min_length=1, max_length=200, examples=["Lambeth gym"])
    site: PlainText = Field(min_length=1, max_length=200, examples=["Lambeth borough"])
    owning_group_id: UUID | None = Field(default=None, description="None: a central facility")
    capacity: int = Field(ge=1, le=100_000, description="Seats per room", examples=[14])
    rooms: int = Field(default=1, ge=1, le=10_000, examples=[1])
    features: list[Feature] = Field(default_factory=list, examples=[["gym", "mats"]])
    cost_per_day: float = Field(ge=0, le=1e9, examples=[140.0])
    opened_on: Day | None = None


class FacilityChange(Command):
    capacity: int | None = Field(default=None, ge=1, le=100_000)
    rooms: int | None = Field(default=None, ge=1, le=10_000)
    features: list[Feature] | None = None
    cost_per_day: float | None = Field(default=None, ge=0, le=1e9)
    reason: Reason


class UsageEntry(Body):
    starts_on: Day
    ends_on: Day
    kind: Literal["booking", "closure"] = "booking"
    purpose: PlainText = Field(
        min_length=1, max_length=300, examples=["Borough briefing and tasking"]
    )
    rooms: int = Field(default=1, ge=1, le=10_000, description="Ignored for a closure (all rooms)")


class ScheduleSubmission(Command):
    """A schedule of usage for a period; it replaces what an earlier one said about it."""

    period_start: Day
    period_end: Day
    empty_period: bool = Field(
        default=False,
        description="Say true to submit no entries: that removes every booking and closure the "
        "period had. Without it an empty `entries` is refused.",
    )
    entries: list[UsageEntry] = Field(max_length=20_000)

    @field_validator("entries")
    @classmethod
    def _empty_only_when_meant(cls, entries: list[UsageEntry], info: ValidationInfo) -> Any:
        if not entries and not info.data.get("empty_period"):
            raise ValueError(
                "no entries would remove every booking and closure of the period: "
                "send empty_period=true if that is meant"
            )
        return entries


class RunningCostSetting(Command):
    per_year: float = Field(
        ge=0,
        le=100_000_000,
        description="Fixed running cost a year in pounds (premises, rates, maintenance), paid "
        "whether its rooms are used or not",
        examples=[120000],
    )
    reason: Reason


class Decommissioning(Command):
    on: Day
    reason: Reason


class FacilityOut(BaseModel):
    id: UUID
    version: int
    name: str
    site: str
    owning_group_id: UUID | None
    capacity: int
    rooms: int
    features: list[str]
    cost_per_day: float
    opened_on: str | None
    decommissioned_on: str | None


class CalendarEntry(BaseModel):
    starts_on: str
    ends_on: str
    kind: str = Field(description="booking, closure or session (a confirmed training session)")
    purpose: str
    rooms: int
    session_id: str | None = None
    cycle_id: str | None = None


class FacilityCalendar(BaseModel):
    facility_id: UUID
    version: int
    rooms: int
    entries: list[CalendarEntry]
    extra: dict[str, Any] | None = None


class UsageRow(BaseModel):
    starts_on: str
    ends_on: str
    kind: str
    purpose: str
    rooms: int


class UsageReplaced(BaseModel):
    before: UsageRow
    after: UsageRow


class ScheduleImported(Written):
    """A schedule from a spreadsheet: stored (`stored`, the new `version`) or, on a dry run,
    only previewed (the current `version`); what it changes in the period either way."""

    facility: str = Field(examples=["Lambeth gym (Lambeth borough)"])
    period_start: str
    period_end: str
    rows: int = Field(description="Bookings and closures read from the sheet")
    stored: bool = Field(description="False on a dry run: nothing was stored")
    added: list[UsageRow]
    replaced: list[UsageReplaced] = Field(
        description="The same dates and kind with another purpose or number of rooms"
    )
    removed: list[UsageRow]
    unchanged: int
