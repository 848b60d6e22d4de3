from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.schemas.common import Body, Day, Reason


class CycleOpening(Body):
    name: str = Field(min_length=1, max_length=40, examples=["2003/04"])
    starts_on: Day
    ends_on: Day
    budget: float = Field(ge=0, le=1e12, examples=[9_500_000])


class BudgetChange(Body):
    budget: float = Field(ge=0, le=1e12, examples=[9_000_000])
    reason: Reason


class WeightsSetting(Body):
    weights: dict[str, float] = Field(
        min_length=1,
        max_length=50,
        examples=[{"Mandated": 1000, "Essential": 100, "Desirable": 10, "Optional": 1}],
    )
    reason: Reason


class RunRequest(Body):
    time_limit: float = Field(default=30.0, gt=0, le=3600, description="Seconds")
    what_if: dict[str, Any] | None = Field(
        default=None,
        description="A scenario: e.g. a centre forced open or closed, another budget. A what-if "
        "run is recorded but never drafted.",
        examples=[{"budget": 8_000_000}],
    )


class RunStatus(BaseModel):
    run_id: str
    cycle_id: UUID
    state: Literal["running", "finished", "failed", "cancelled", "interrupted"]
    objective: float | None = Field(description="The incumbent's objective")
    bound: float | None = Field(description="The best bound proved so far")
    gap: float | None = Field(description="Relative gap between the two")
    elapsed: float | None = Field(description="Seconds since the solve started")
    solutions: int | None = Field(description="Incumbents found")
    result: dict[str, Any] | None = Field(description="The allocation, when finished")
    error: str | None


class Drafting(Body):
    run_id: str = Field(min_length=1, max_length=80)


class SessionAmendment(Body):
    venue_kind: Literal["facility", "centre"] | None = None
    venue_id: UUID | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    reason: Reason


class SessionPin(Body):
    pinned: bool = True
    reason: Reason


class CycleOut(BaseModel):
    id: UUID
    version: int
    name: str
    starts_on: str
    ends_on: str
    budget: float
    weights: dict[str, float]
    status: str
    runs: dict[str, dict[str, Any]] = Field(description="Recorded runs, without allocations")
    runs_in_progress: list[str]
    draft_run_id: str | None
    draft: list[dict[str, Any]]
    published: list[dict[str, Any]]
    prospectus_edition: int
