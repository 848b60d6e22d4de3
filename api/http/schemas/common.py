from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from domain.values import control_character

T = TypeVar("T")


def _plain(value: str) -> str:
    """The domain's own rule on text (`domain.values.control_character`), at the edge: a 422
    naming the field, before any command runs."""
    rule = control_character(value)
    if rule is not None:
        raise PydanticCustomError("control_character", rule)
    return value


def _plain_within(value: Any) -> Any:
    """The same rule on every text inside a free-form JSON value (keys and values)."""
    if isinstance(value, str):
        return _plain(value)
    if isinstance(value, dict):
        return {_plain(str(k)): _plain_within(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_within(v) for v in value]
    return value


PlainText = Annotated[str, AfterValidator(_plain)]
"""Every text a request carries: no control characters but tab and newline (422 naming the
field). Length and other limits go beside it in `Field(...)`."""
PlainJson = Annotated[Any, AfterValidator(_plain_within)]
"""A free-form JSON value whose every text (keys too) is `PlainText`."""

Reason = Annotated[
    PlainText,
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


class Command(Body):
    """A write's body: its fields, and the business date the step takes effect."""

    effective_on: date | None = Field(
        default=None,
        description="The business date this step takes effect, YYYY-MM-DD (default: the day "
        "it is recorded). Not after the day it is recorded, nor before the facts it depends "
        "on (the entity's last step, e.g. a need's analysis before its prioritisation). The "
        "store records its own time beside it, never the caller's.",
        examples=["2003-03-31"],
    )


class Reasoned(Command):
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
