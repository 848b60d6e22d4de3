"""Trainer pools: what a request gives and what the API answers (the aggregate, and the read
model's rows)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.schemas.common import Command, Page, Reason

Trainers = Annotated[int, Field(ge=0, le=10_000, description="Trainers in the pool")]
Courses = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=20)]],
    Field(
        min_length=1,
        max_length=200,
        description="Course codes its trainers deliver",
        examples=[["GP05"]],
    ),
]


class PoolRegistration(Command):
    name: str = Field(min_length=1, max_length=200, examples=["Officer safety trainers, Hendon"])
    discipline: str = Field(min_length=1, max_length=80, examples=["officer safety"])
    trainers: Trainers = Field(examples=[40])
    courses: Courses
    base: str = Field(default="", max_length=200, examples=["Hendon"])
    owning_group_id: UUID | None = Field(
        default=None, description="The group that employs them (any group may use them)"
    )


class StrengthChange(Command):
    trainers: Trainers = Field(examples=[42])
    reason: Reason


class CoursesChange(Command):
    courses: Courses
    reason: Reason


class AbsenceRecord(Command):
    starts_on: date = Field(examples=["2003-08-04"])
    ends_on: date = Field(examples=["2003-08-15"])
    trainers: int = Field(ge=1, le=10_000, examples=[6])
    kind: Literal["leave", "sickness", "training", "other"] = Field(examples=["leave"])
    reason: Reason


class Absence(BaseModel):
    absence_id: int
    starts_on: date
    ends_on: date
    trainers: int
    kind: str


class PoolOut(BaseModel):
    id: UUID
    version: int
    name: str
    discipline: str
    trainers: int
    courses: list[str]
    base: str
    owning_group_id: UUID | None
    absences: list[Absence]


class TrainerPoolRow(BaseModel):
    """A pool of trainers of one discipline, shareable across groups."""

    id: UUID = Field(description="The pool")
    name: str = Field(description="Its name", examples=["Officer safety trainers, Hendon"])
    discipline: str = Field(description="What its trainers teach", examples=["officer safety"])
    trainers: int = Field(description="Trainers in the pool")
    courses: list[str] = Field(description="Course codes they deliver", examples=[["GP05"]])
    base: str = Field(description="Where they are based")
    owning_group_id: UUID | None = Field(description="The group that employs them, if any")
    absences: int = Field(description="Absences recorded")
    trainer_days_away: int = Field(description="Trainer-days away, working days")
    version: int = Field(description="The pool's version (its ETag)")


class TrainerAbsenceRow(BaseModel):
    """Trainers of a pool away (leave, sickness, their own training) for a period."""

    pool_id: UUID = Field(description="The pool")
    absence_id: int = Field(description="The absence's number in its pool")
    pool_name: str = Field(description="The pool's name")
    starts_on: date = Field(description="First day away")
    ends_on: date = Field(description="Last day away")
    trainers: int = Field(description="Trainers away")
    kind: str = Field(description="leave, sickness, training or other")
    reason: str | None = Field(description="Why, as recorded")
    recorded_by: str | None = Field(description="Who recorded it")


TrainerPoolsPage = Page[TrainerPoolRow]
TrainerAbsencesPage = Page[TrainerAbsenceRow]
