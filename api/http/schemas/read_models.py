"""The rows of the read models, one model per read model, every column described. A list
answers a `Page` of them (`api.http.schemas.common.Page`): the items, how many match in all,
and the limit and offset asked for.

Identifiers are UUIDs; days are `YYYY-MM-DD`; times are ISO 8601 in UTC, as the event recorded
them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.schemas.common import Page
from api.http.schemas.trainers import (
    TrainerAbsenceRow,
    TrainerAbsencesPage,
    TrainerPoolRow,
    TrainerPoolsPage,
)


class NeedRow(BaseModel):
    """A training need in the needs register: where it is in the Systems Approach, its
    priority, its analysis, and the latest decision with who made it and why."""

    need_id: UUID = Field(description="The need")
    group_id: UUID = Field(description="The business group that raised it")
    group_code: str | None = Field(description="The group's code", examples=["TP"])
    group_name: str | None = Field(description="The group's name")
    title: str = Field(description="What the need is", examples=["Officer safety refresher"])
    trigger: str | None = Field(
        description="What made it a need", examples=["emerging performance issue"]
    )
    status: str = Field(
        description="identified, analysed, prioritised, endorsed, rejected, scheduled, "
        "delivered, evaluated or withdrawn",
        examples=["endorsed"],
    )
    level: str | None = Field(
        description="Priority: Mandated, Essential, Desirable or Optional", examples=["Mandated"]
    )
    score: int | None = Field(description="Priority score, 0-100, within the level")
    gap_statement: str | None = Field(description="Analysis: the performance gap")
    audience: str | None = Field(description="Analysis: who is to be trained")
    learners: int | None = Field(description="Analysis: how many learners")
    course_code: str | None = Field(description="Analysis: the course", examples=["GP05"])
    delivery_mode: str | None = Field(
        description="Analysis: classroom, practical, blended or e-learning"
    )
    days_per_learner: float | None = Field(description="Analysis: course days per learner")
    class_size_min: int | None = Field(description="Analysis: smallest viable class")
    class_size_max: int | None = Field(description="Analysis: largest class")
    trainers_per_session: int | None = Field(description="Analysis: trainers a session needs")
    required_features: list[str] | None = Field(
        description="Analysis: what a venue must have", examples=[["gym", "mats"]]
    )
    mandatory_basis: str | None = Field(description="Analysis: the legal or policy duty, if any")
    risk_if_untrained: str | None = Field(description="Analysis: low, medium, high or critical")
    window_start: date | None = Field(description="Analysis: first day training is wanted")
    window_end: date | None = Field(description="Analysis: last day training is wanted")
    scheduled_learners: int = Field(description="Places in the published prospectus")
    attendance: int | None = Field(description="Learners who attended (once delivered)")
    actual_cost: float | None = Field(description="What delivery cost (once delivered)")
    evaluation_level: int | None = Field(description="Kirkpatrick level evaluated at, 1-4")
    evaluation_score: int | None = Field(description="Evaluation score, 0-100")
    last_decision: str | None = Field(
        description="Prioritised, Endorsed, Rejected or Withdrawn", examples=["Endorsed"]
    )
    last_decision_by: str | None = Field(description="Who made the latest decision")
    last_decision_reason: str | None = Field(description="Why, in their words")
    last_decision_at: datetime | None = Field(description="When")
    identified_at: datetime | None = Field(description="When the need was identified")
    identified_by: str | None = Field(description="Who identified it")
    updated_at: datetime | None = Field(description="When it last changed")
    version: int = Field(description="The need's version (its ETag)")


class FacilityRow(BaseModel):
    """A venue in the facility register."""

    id: UUID = Field(description="The facility")
    name: str = Field(description="Its name, unique at its site", examples=["Lambeth gym"])
    site: str = Field(description="Where it is", examples=["Lambeth borough"])
    owning_group_id: UUID | None = Field(description="The owning business group; null: central")
    owning_group_code: str | None = Field(
        default=None, description="The owning group's code; null: central", examples=["TP"]
    )
    capacity: int = Field(description="Seats per room")
    rooms: int = Field(description="Rooms that can be used at once")
    features: list[str] = Field(description="What it offers", examples=[["gym", "mats"]])
    cost_per_day: float = Field(description="Day rate, pounds")
    running_cost_per_year: float = Field(
        description="Fixed running cost a year, pounds, used or not (what closing it saves)"
    )
    opened_on: date | None = Field(description="First day it can be used")
    decommissioned_on: date | None = Field(description="Last day, once decommissioned")
    status: str = Field(description="in service or decommissioned")
    bookings: int = Field(description="Bookings in its submitted schedule of usage")
    confirmed_sessions: int = Field(description="Sessions of published prospectuses held there")
    registered_by: str | None = Field(description="Who registered it")
    version: int = Field(description="The facility's version (its ETag)")


class CalendarEntryRow(BaseModel):
    """One entry of a venue's calendar: a booking or closure from its schedule of usage, or a
    session of a prospectus."""

    facility_id: UUID = Field(description="The facility")
    entry: int | None = Field(
        description="The entry's number in the facility's calendar; null for a tentative session"
    )
    starts_on: date = Field(description="First day")
    ends_on: date = Field(description="Last day")
    kind: str = Field(description="booking, closure or session")
    status: str = Field(
        description="submitted (schedule of usage), confirmed (published prospectus) or "
        "tentative (draft prospectus)"
    )
    purpose: str = Field(
        description="What it is for (a session: its course and id)",
        examples=["Borough briefing and tasking"],
    )
    rooms: int = Field(description="Rooms it takes")
    session_id: str | None = Field(description="The session, for a session")
    cycle_id: UUID | None = Field(description="The planning cycle, for a session")
    course_code: str | None = Field(description="The course, for a session")


class UtilisationRow(BaseModel):
    """A venue's use in one week (Monday to Friday, 8 room-hours a day)."""

    facility_id: UUID = Field(description="The facility")
    week: date = Field(description="The week's Monday", examples=["2003-05-05"])
    rooms: int = Field(description="Rooms of the facility")
    available_hours: float = Field(description="Room-hours open: rooms x 40, less closures")
    closed_hours: float = Field(description="Room-hours closed")
    booked_hours: float = Field(description="Room-hours taken by other usage")
    session_hours: float = Field(description="Room-hours taken by confirmed sessions")
    used_hours: float = Field(description="booked_hours + session_hours")
    utilisation: float = Field(description="used_hours / available_hours", examples=[0.45])


class GroupTimeRow(BaseModel):
    """A business group's training time: the learner-hours its needs demand, were endorsed,
    scheduled and delivered, in total and per head, against the board's allowance."""

    group_id: UUID = Field(description="The business group")
    code: str = Field(description="The group's code", examples=["TP"])
    name: str = Field(description="The group's name", examples=["Territorial Policing"])
    officers: int = Field(description="Police officers")
    staff: int = Field(description="Police staff")
    headcount: int = Field(description="officers + staff")
    board_chair: str | None = Field(description="Who chairs its training board")
    allowance_hours_per_head: float | None = Field(
        description="The board's acceptable training hours per head; null: not set"
    )
    capability_percent: float = Field(
        description="Operational capability: the most of its headcount (per cent) the board "
        "lets be away training in any week (5 until the board sets it)"
    )
    needs: int = Field(description="Its training needs, any status")
    hours_demanded: float = Field(description="Learner-hours of its analysed needs and later")
    hours_demanded_per_head: float = Field(description="hours_demanded / headcount")
    hours_endorsed: float = Field(description="Learner-hours the TMB endorsed")
    hours_endorsed_per_head: float = Field(description="hours_endorsed / headcount")
    hours_scheduled: float = Field(description="Learner-hours in the published prospectus")
    hours_scheduled_per_head: float = Field(description="hours_scheduled / headcount")
    hours_delivered: float = Field(description="Learner-hours delivered")
    hours_delivered_per_head: float = Field(description="hours_delivered / headcount")
    endorsed_over_allowance: bool = Field(
        description="Endorsed hours per head exceed the allowance"
    )
    version: int = Field(description="The group's version")


class CentreRow(BaseModel):
    """A proposed training delivery centre, its costs and the TMB's decision."""

    id: UUID = Field(description="The proposal")
    name: str = Field(description="Its name", examples=["Orpington OST centre"])
    site: str = Field(description="Where it would be", examples=["Orpington"])
    rooms: int = Field(description="Rooms it would have")
    capacity: int = Field(description="Seats per room")
    features: list[str] = Field(description="What it would offer", examples=[["gym", "mats"]])
    setup_cost: float = Field(description="One-off cost to open, pounds")
    running_cost_per_day: float = Field(description="Pounds per day open")
    earliest_opening: date = Field(description="First day it could open")
    status: str = Field(description="proposed, costed, approved or rejected")
    costing_notes: str | None = Field(description="LSPU's notes on the costing")
    proposed_by: str | None = Field(description="Who proposed it")
    decision_reason: str | None = Field(description="Why the TMB approved or rejected it")
    decided_by: str | None = Field(description="Who decided")
    decided_at: datetime | None = Field(description="When")
    version: int = Field(description="The proposal's version (its ETag)")


class CycleRow(BaseModel):
    """A planning cycle at a glance: its budget and weights, its runs, its draft and published
    prospectus."""

    cycle_id: UUID = Field(description="The planning cycle")
    name: str = Field(description="Its name, unique", examples=["2003/04"])
    starts_on: date = Field(description="First day of the plan")
    ends_on: date = Field(description="Last day of the plan")
    budget: float = Field(description="Pounds")
    weights: dict[str, Any] = Field(description="The TMB's strategic weights")
    status: str = Field(description="open, published or closed")
    runs: int = Field(description="Optimisation runs finished (recorded or interrupted)")
    runs_in_progress: int = Field(description="Optimisation runs still solving")
    last_run_id: str | None = Field(description="The latest run")
    last_run_status: str | None = Field(description="Its solver status, e.g. OPTIMAL")
    draft_run_id: str | None = Field(description="The run the draft prospectus came from")
    draft_sessions: int = Field(description="Sessions in the draft")
    draft_cost: float = Field(description="Planned cost of the draft, pounds")
    edition: int = Field(description="Published editions so far (0: never published)")
    published_sessions: int = Field(description="Sessions in the published prospectus")
    published_cost: float = Field(description="Planned cost of the published prospectus")
    published_at: datetime | None = Field(description="When it was last published")
    published_by: str | None = Field(description="Who published it")
    opened_by: str | None = Field(description="Who opened the cycle")
    updated_at: datetime | None = Field(description="When the cycle last changed")
    version: int = Field(description="The cycle's version (its ETag)")


class RunRow(BaseModel):
    """An optimisation run of a cycle and its outcome."""

    cycle_id: UUID = Field(description="The planning cycle")
    run_id: str = Field(description="The run, within its cycle", examples=["run-1"])
    state: str = Field(description="running, recorded or interrupted")
    status: str | None = Field(description="The solver's status: OPTIMAL, FEASIBLE, ...")
    objective: float | None = Field(description="Objective value of the allocation")
    bound: float | None = Field(description="Best bound the solver proved")
    gap: float | None = Field(description="Relative gap between objective and bound")
    inputs_digest: str | None = Field(description="Digest of the problem it solved")
    settings: dict[str, Any] = Field(description="The run's settings (time limit, what-if)")
    what_if: bool = Field(description="A what-if run (never drafted)")
    objective_terms: str | None = Field(description="The objective's terms, as text")
    sessions: int = Field(description="Sessions in its allocation")
    cost_total: float | None = Field(description="Planned cost of the allocation, pounds")
    learner_abstraction: float | None = Field(description="Cost of learners' time away")
    centres_opened: list[str] = Field(description="Ids of the delivery centres it opens")
    needs_met: int = Field(description="Needs given every place")
    needs_partly_met: int = Field(description="Needs given some places")
    needs_unmet: int = Field(description="Needs given none")
    started_at: datetime | None = Field(description="When it started")
    started_by: str | None = Field(description="Who started it")
    finished_at: datetime | None = Field(description="When it was recorded")
    note: str | None = Field(description="Why it ended without an allocation, if it did")


class ProspectusSessionRow(BaseModel):
    """A session of a cycle's draft or published prospectus."""

    cycle_id: UUID = Field(description="The planning cycle")
    edition: str = Field(description="draft or published")
    session_id: str = Field(description="The session, within its cycle", examples=["GP05-S1"])
    course_code: str = Field(description="The course", examples=["GP05"])
    title: str | None = Field(description="The course's title (from its first need)")
    groups: str = Field(description="Codes of the groups served, comma-separated")
    venue_kind: str = Field(description="facility or centre")
    venue_id: UUID = Field(description="The facility or delivery centre")
    venue_name: str | None = Field(description="The venue's name")
    site: str | None = Field(description="The venue's site")
    starts_on: date = Field(description="First day")
    ends_on: date = Field(description="Last day")
    days: int = Field(description="Working days")
    places: int = Field(description="Learners booked")
    cost: float = Field(description="Planned cost: days x (venue rate + trainers x trainer rate)")
    abstraction_cost: float = Field(description="Cost of the learners' time away")
    pinned: bool = Field(description="Re-optimising leaves it where it is")
    learners: dict[str, int] = Field(description="Places per business group id")
    needs: dict[str, int] = Field(description="Places per training need id")


class CostLineRow(BaseModel):
    """Plan and actual cost of a course for a business group in a cycle; learner abstraction
    shown apart."""

    cycle_id: UUID = Field(description="The planning cycle")
    course_code: str = Field(description="The course", examples=["GP05"])
    group_id: str = Field(description="The business group (its UUID)")
    group_code: str | None = Field(description="The group's code", examples=["TP"])
    planned_places: int = Field(description="Places in the published prospectus")
    planned_learner_days: float = Field(description="Places x course days")
    planned_cost: float = Field(description="Its share of the sessions' planned cost, pounds")
    actual_attendance: int = Field(description="Learners who attended")
    actual_learner_days: float = Field(description="Attendance x course days")
    actual_cost: float | None = Field(description="What delivery cost; null until delivered")
    variance: float | None = Field(description="actual_cost - planned_cost")
    planned_abstraction_cost: float = Field(description="Planned cost of learners' time away")
    actual_abstraction_cost: float = Field(description="Actual cost of learners' time away")


NeedsPage = Page[NeedRow]
FacilitiesPage = Page[FacilityRow]
CalendarPage = Page[CalendarEntryRow]
UtilisationPage = Page[UtilisationRow]
GroupTimePage = Page[GroupTimeRow]
CentresPage = Page[CentreRow]
CyclesPage = Page[CycleRow]
RunsPage = Page[RunRow]
ProspectusPage = Page[ProspectusSessionRow]
CostsPage = Page[CostLineRow]

ROW_MODELS: dict[str, type[BaseModel]] = {
    "needs": NeedRow,
    "facilities": FacilityRow,
    "facility_calendar": CalendarEntryRow,
    "utilisation": UtilisationRow,
    "group_time": GroupTimeRow,
    "centres": CentreRow,
    "cycles": CycleRow,
    "runs": RunRow,
    "prospectus": ProspectusSessionRow,
    "costs": CostLineRow,
    "trainer_pools": TrainerPoolRow,
    "trainer_absences": TrainerAbsenceRow,
}
"""The row model of each read model of `projections.QUERIES` (but the audit trail's, in
`api.http.schemas.audit`)."""

PAGES: dict[str, type[Page[Any]]] = {
    "needs": NeedsPage,
    "facilities": FacilitiesPage,
    "facility_calendar": CalendarPage,
    "utilisation": UtilisationPage,
    "group_time": GroupTimePage,
    "centres": CentresPage,
    "cycles": CyclesPage,
    "runs": RunsPage,
    "prospectus": ProspectusPage,
    "costs": CostsPage,
    "trainer_pools": TrainerPoolsPage,
    "trainer_absences": TrainerAbsencesPage,
}
"""The page model of each read model in ROW_MODELS."""

IN_WORDS: dict[str, set[str]] = {"facilities": {"owning_group_code"}}
"""Fields the API adds to a read model's rows in people's words (a group's code beside its id);
they are not columns of the read model."""
