from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.schemas.common import Command, Day, PlainText, Reason
from api.http.schemas.names import LevelName, ModeName, RiskName, TriggerName

Count = Annotated[int, Field(ge=0, le=1_000_000)]


class NeedIdentification(Command):
    group_id: UUID = Field(description="The business group that raises the need")
    title: PlainText = Field(min_length=1, max_length=200, examples=["Officer safety refresher"])
    trigger: TriggerName = Field(examples=["new legislation"])
    description: PlainText = Field(default="", max_length=2000)


class Analysis(Command):
    gap_statement: PlainText = Field(
        min_length=1, max_length=2000, examples=["Officers are not current in officer safety"]
    )
    audience: PlainText = Field(
        min_length=1, max_length=500, examples=["Constables to Chief Inspectors"]
    )
    learners: int = Field(ge=1, le=1_000_000, examples=[120])
    course_code: PlainText = Field(min_length=1, max_length=20, examples=["GP05"])
    delivery_mode: ModeName = Field(examples=["practical"])
    days_per_learner: float = Field(gt=0, le=200, multiple_of=0.5, examples=[2])
    class_size_min: int = Field(ge=1, le=10_000, examples=[12])
    class_size_max: int = Field(ge=1, le=10_000, examples=[16])
    trainers_per_session: int = Field(ge=0, le=100, examples=[2])
    required_features: list[Annotated[PlainText, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, examples=[["gym", "mats"]]
    )
    mandatory_basis: PlainText | None = Field(
        default=None, max_length=2000, examples=["Health and Safety at Work Act 1974 s.7"]
    )
    risk_if_untrained: RiskName = Field(examples=["critical"])
    window_start: Day
    window_end: Day


class Prioritisation(Command):
    level: LevelName = Field(examples=["Mandated"])
    score: int = Field(ge=0, le=100, examples=[95])
    reason: Reason


class Delivery(Command):
    attendance: Count = Field(examples=[110])
    actual_cost: float = Field(ge=0, le=1e12, examples=[48500.0])


class Evaluation(Command):
    level: int = Field(ge=1, le=4, description="Kirkpatrick level", examples=[2])
    score: int = Field(ge=0, le=100, examples=[80])
    notes: PlainText = Field(default="", max_length=2000)


class NeedOut(BaseModel):
    id: UUID
    version: int
    group_id: UUID
    title: str
    trigger: str
    description: str
    status: str = Field(examples=["endorsed"])
    analysis: dict[str, Any] | None
    priority_level: str | None
    priority_score: int | None
    decision_reason: str | None
    scheduled_in: list[dict[str, Any]]
    attendance: int | None
    actual_cost: float | None
    evaluation: dict[str, Any] | None
