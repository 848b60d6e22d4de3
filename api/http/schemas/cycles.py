from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.schemas.common import Command, Day, PlainJson, PlainText, Reason


class CycleOpening(Command):
    name: PlainText = Field(min_length=1, max_length=40, examples=["2003/04"])
    starts_on: Day
    ends_on: Day
    budget: float = Field(ge=0, le=1e12, examples=[9_500_000])


class BudgetChange(Command):
    budget: float = Field(ge=0, le=1e12, examples=[9_000_000])
    reason: Reason


class WeightsSetting(Command):
    weights: dict[PlainText, float] = Field(
        min_length=1,
        max_length=50,
        examples=[{"Mandated": 1000, "Essential": 100, "Desirable": 10, "Optional": 1}],
    )
    reason: Reason


class RunRequest(Command):
    time_limit: float = Field(default=30.0, gt=0, le=3600, description="Seconds")
    what_if: dict[PlainText, PlainJson] | None = Field(
        default=None,
        description="A scenario: e.g. a centre forced open or closed, another budget. A what-if "
        "run is recorded but never drafted.",
        examples=[{"budget": 8_000_000}],
    )


class Stage(BaseModel):
    name: str = Field(description="e.g. mandated learners, fair share, cost")
    unit: str | None = Field(default=None, description="The stage's own unit, e.g. learners")
    sense: str | None = Field(default=None, description="maximise or minimise")
    status: str = Field(description="OPTIMAL, FEASIBLE, NO_BETTER, TRIVIAL or NOT_RUN")
    objective: float | None = Field(description="The plan's value in the stage's unit")
    bound: float | None = Field(description="The best bound proved, in the same unit")
    gap: float | None = Field(description="|bound - objective| / the larger of the two")
    seconds: float | None = Field(default=None, description="How long the stage ran")
    start: float | None = Field(default=None, description="The value it started from")


class ShortNeed(BaseModel):
    need_id: str
    group: str = Field(description="The business group's code")
    level: str | None = None
    learners: int = Field(description="Learners the plan leaves without a place")
    reasons: list[str] = Field(description="Each names the binding rule and the resource")


class RunStatus(BaseModel):
    run_id: str
    cycle_id: UUID
    state: Literal["running", "finished", "failed", "cancelled", "interrupted"] = Field(
        description="running (waiting for a worker or solving), finished, failed, cancelled, "
        "or interrupted (its worker stopped: retry it with POST .../retry)"
    )
    queued: bool = Field(
        default=False, description="True while the run waits on the queue for a worker"
    )
    stage: str | None = Field(default=None, description="The stage the run is in (running)")
    unit: str | None = Field(default=None, description="That stage's unit")
    objective: float | None = Field(
        description="While running, the stage's value in its unit; when finished, the "
        "mandated learners the plan trains"
    )
    bound: float | None = Field(description="The best bound proved so far, in the same unit")
    gap: float | None = Field(description="Relative gap between the two")
    elapsed: float | None = Field(description="Seconds since the solve started")
    solutions: int | None = Field(description="Plans reported so far")
    stages: list[Stage] | None = Field(default=None, description="Each stage, in its own unit")
    learners_met: dict[str, int] | None = Field(
        default=None, description="Learners trained per priority level"
    )
    learners_demanded: dict[str, int] | None = Field(default=None, description="Per level")
    baseline_learners_met: dict[str, int] | None = Field(
        default=None, description="Learners the greedy starting plan trains, per level"
    )
    by_group: dict[str, dict[str, list[int]]] | None = Field(
        default=None, description="Per group code and level: [learners met, demanded]"
    )
    cash_cost: dict[str, int | None] | None = Field(
        default=None, description="Pounds: total, capital (centre set-up), revenue (the rest)"
    )
    abstraction_cost: int | None = Field(
        default=None, description="Pounds of learners' time away, apart from cash"
    )
    unmet: list[ShortNeed] | None = Field(default=None, description="Needs left short")
    shortfalls: list[dict[str, Any]] | None = Field(
        default=None, description="What more of a resource would place more learners"
    )
    result: dict[str, Any] | None = Field(description="The allocation, when finished")
    error: str | None
    retry_of: str | None = Field(default=None, description="The run this one retries")
    worker: str | None = Field(
        default=None, description="The worker that solves (solved) it: host:process:thread"
    )


class Drafting(Command):
    run_id: PlainText = Field(min_length=1, max_length=80)


class SessionAmendment(Command):
    venue_kind: Literal["facility", "centre"] | None = None
    venue_id: UUID | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    reason: Reason


class SessionPin(Command):
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
