from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.schemas.common import Command, Day, PlainText


class CentreProposal(Command):
    name: PlainText = Field(
        min_length=1, max_length=200, examples=["Orpington Officer Safety Training centre"]
    )
    site: PlainText = Field(min_length=1, max_length=200, examples=["Orpington Police Station"])
    rooms: int = Field(ge=1, le=10_000, examples=[4])
    capacity: int = Field(ge=1, le=100_000, examples=[16])
    features: list[Annotated[PlainText, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, examples=[["gym", "mats"]]
    )
    setup_cost: float = Field(ge=0, le=1e12, examples=[450000])
    running_cost_per_day: float = Field(ge=0, le=1e9, examples=[1100])
    earliest_opening: Day


class CentreCosting(Command):
    setup_cost: float = Field(ge=0, le=1e12, examples=[480000])
    running_cost_per_day: float = Field(ge=0, le=1e9, examples=[1150])
    notes: PlainText = Field(min_length=1, max_length=2000, examples=["Feasibility study"])


class CentreOut(BaseModel):
    id: UUID
    version: int
    name: str
    site: str
    rooms: int
    capacity: int
    features: list[str]
    setup_cost: float
    running_cost_per_day: float
    earliest_opening: str
    status: str
    decision_reason: str | None
