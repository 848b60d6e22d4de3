from __future__ import annotations

from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

Reason = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description="Why: kept on the event for the auditors",
        examples=["Legal duty under the Health and Safety at Work Act"],
    ),
]
Day = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2003-05-06"], description="A date, YYYY-MM-DD"
    ),
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reasoned(Body):
    reason: Reason


class Written(BaseModel):
    """What a write answers: the resource and its new version (also in the ETag header)."""

    id: UUID
    version: int = Field(examples=[4])


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many match the filters, over all pages")
    limit: int
    offset: int
