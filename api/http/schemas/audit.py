"""What the auditors read: events in order with who did what and why, the read models as they
were at a point of the history, the integrity report, and the shape of an export line."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from api.http.schemas.common import Page
from api.http.schemas.read_models import (
    CalendarEntryRow,
    CentreRow,
    CostLineRow,
    CycleRow,
    FacilityRow,
    GroupTimeRow,
    NeedRow,
    ProspectusSessionRow,
    RunRow,
    UtilisationRow,
)


class AuditEntry(BaseModel):
    """One event of the history: which entity, what happened, who did it, why and when."""

    position: int = Field(description="The event's place in the history (notification id)")
    entity_id: UUID = Field(description="The aggregate the event belongs to")
    entity_kind: str = Field(
        description="TrainingNeed, BusinessGroup, Facility, DeliveryCentreProposal or "
        "PlanningCycle",
        examples=["TrainingNeed"],
    )
    version: int = Field(description="The entity's version after this event")
    event_type: str = Field(description="What happened", examples=["Prioritised"])
    actor: str | None = Field(description="Who did it", examples=["AC Territorial Policing"])
    reason: str | None = Field(description="Why, on decisions", examples=["Legal duty"])
    at: datetime | None = Field(description="When the store recorded it (UTC)")
    effective_on: date | None = Field(
        default=None, description="The business date it takes effect", examples=["2003-03-31"]
    )
    days_back: int | None = Field(
        default=None,
        description="Days from the business date to the day it was recorded: 0 for an entry "
        "made the day it took effect, more for a back-dated one",
        examples=[0],
    )
    summary: str = Field(
        description="What changed, readable",
        examples=["TrainingNeed Prioritised: level=Mandated; score=95"],
    )


AuditPage = Page[AuditEntry]


class AsOfState(BaseModel):
    """The read models as they were after event `position`, rebuilt from the history alone.
    Only the read models asked for are filled in; each is the first `limit` rows in its
    natural order, with the total that matched."""

    position: int = Field(
        description="The last event of the history considered (as recorded at `as_of` or up to "
        "`upto`; 0: none yet)"
    )
    as_of: datetime | None = Field(
        description="The recording time asked for (`at`), if one was asked for"
    )
    effective_on: date | None = Field(
        default=None, description="The business date asked for, if one was"
    )
    events_applied: int = Field(
        default=0, description="The events applied: considered, and effective by the date"
    )
    events_total: int = Field(default=0, description="The events in the store now")
    head: int = Field(description="The last event of the store now")
    needs: Page[NeedRow] | None = Field(default=None, description="The needs register")
    facilities: Page[FacilityRow] | None = Field(default=None, description="The facility register")
    facility_calendar: Page[CalendarEntryRow] | None = Field(
        default=None, description="Venues' calendars (without tentative sessions)"
    )
    utilisation: Page[UtilisationRow] | None = Field(
        default=None, description="Venues' use by week"
    )
    group_time: Page[GroupTimeRow] | None = Field(
        default=None, description="Training time per business group"
    )
    centres: Page[CentreRow] | None = Field(default=None, description="Delivery centre proposals")
    cycles: Page[CycleRow] | None = Field(default=None, description="Planning cycles")
    runs: Page[RunRow] | None = Field(default=None, description="Optimisation runs")
    prospectus: Page[ProspectusSessionRow] | None = Field(
        default=None, description="Prospectus sessions"
    )
    costs: Page[CostLineRow] | None = Field(default=None, description="Cost lines")
    audit: Page[AuditEntry] | None = Field(
        default=None, description="The audit trail up to the position"
    )


class VerifyReportOut(BaseModel):
    """The integrity check of the event store: the hash chain over the history recomputed
    event by event. `ok: false` is a finding, not an error of the request."""

    ok: bool = Field(description="No event changed, deleted, inserted or moved since sealed")
    events: int = Field(description="Events in the store")
    sealed: int = Field(description="Events covered by the seal")
    unsealed: int = Field(description="Events recorded after the last seal (not yet provable)")
    head: str | None = Field(
        description="The last chain hash (hex): write it down; a later verify must extend it"
    )
    problem: str | None = Field(description="The first problem found, in words")
    first_bad: int | None = Field(description="The position of the first event at fault")


class ExportLine(BaseModel):
    """One line of an export (JSON Lines, one event a line, in order). `topic` and `state`
    are what the store holds; the other fields are derived from them for people to read."""

    position: int = Field(description="Notification id")
    entity_id: UUID = Field(description="The aggregate the event belongs to")
    entity_kind: str = Field(description="Its kind", examples=["TrainingNeed"])
    type: str = Field(description="What happened", examples=["Prioritised"])
    version: int = Field(description="The entity's version after this event")
    actor: str | None = Field(description="Who did it")
    reason: str | None = Field(description="Why, on decisions")
    time: datetime | None = Field(description="When it was recorded (UTC)")
    payload: dict[str, Any] = Field(description="The event's own fields, as plain JSON")
    topic: str = Field(description="The event class, as the library stores it")
    state: str = Field(description="The exact JSON text the library stored")
