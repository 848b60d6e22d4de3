from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.schemas.common import Command, PlainText, Reason

Headcount = Annotated[int, Field(ge=0, le=1_000_000)]


class GroupRegistration(Command):
    name: PlainText = Field(min_length=1, max_length=200, examples=["Territorial Policing"])
    code: str = Field(min_length=1, max_length=12, pattern=r"^[A-Za-z0-9-]+$", examples=["TP"])
    officers: Headcount = Field(examples=[21449])
    staff: Headcount = Field(examples=[5757])


class HeadcountUpdate(Command):
    officers: Headcount = Field(examples=[21600])
    staff: Headcount = Field(examples=[5800])


class AllowanceSetting(Command):
    hours_per_head: float = Field(ge=0, le=400, examples=[40])
    reason: Reason


class CapabilityLimitSetting(Command):
    away_percent: float = Field(
        ge=0,
        le=100,
        description="The most of the group's headcount, in per cent, away training in any week",
        examples=[5],
    )
    reason: Reason


class BoardChairAssignment(Command):
    chair: PlainText = Field(min_length=1, max_length=200, examples=["AC Territorial Policing"])


class GroupOut(BaseModel):
    id: UUID
    version: int
    name: str = Field(examples=["Territorial Policing"])
    code: str = Field(examples=["TP"])
    officers: int
    staff: int
    headcount: int
    allowance_hours_per_head: float | None
    capability_percent: float = Field(
        description="Of its headcount, the most (per cent) away training in any week",
        examples=[5.0],
    )
    board_chair: str | None
