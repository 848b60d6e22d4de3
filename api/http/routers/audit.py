"""The auditors' view: events with filters, an entity's trail, state as of a time, verify,
export. Every role may read it; none of it changes anything."""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.http.deps import PlannerDep, ProjectionsDep, StackDep, get_principal
from api.http.paging import Limit, Offset, invalid, read_page
from api.http.problems import problems
from api.http.schemas.audit import AsOfState, AuditPage, ExportLine, VerifyReportOut
from api.http.schemas.common import PlainText
from api.http.schemas.names import ReadModelName
from api.http.schemas.read_models import PAGES
from domain import NotFound, TrainingPlanner
from projections import QUERIES, UnknownView
from projections.integrity import verify
from projections.replay import ReplayError, replay
from projections.transfer import export_events

log = logging.getLogger("trainplan.api")

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], dependencies=[Depends(get_principal)])

AS_OF_DEFAULT = ("needs", "group_time", "facilities", "centres", "cycles")
NDJSON = "application/x-ndjson"
EXPORT_BATCH = 5000

Moment = Annotated[
    datetime | None,
    Query(
        description="An ISO 8601 time; UTC if it has no offset; a date alone is its 00:00",
        examples=["2003-06-30T17:00:00Z"],
    ),
]
Position = Annotated[int | None, Query(ge=0, description="A position in the history")]
BusinessDay = Annotated[
    date | None,
    Query(description="A business date, YYYY-MM-DD (inclusive)", examples=["2003-03-31"]),
]
Name = Annotated[PlainText | None, Query(min_length=1, max_length=128)]


def stored_form(moment: datetime | None) -> str | None:
    """A time as the audit trail stores it (UTC, `isoformat()`), so that comparing the texts
    compares the times."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


@router.get("/events", responses=problems(401, 422), summary="Every event: who, what, why")
def audit_events(
    projections: ProjectionsDep,
    entity_id: Annotated[
        UUID | None, Query(description="One entity: a need, group, facility, centre or cycle")
    ] = None,
    entity_kind: Annotated[
        PlainText | None,
        Query(
            min_length=1,
            max_length=64,
            description="TrainingNeed, BusinessGroup, Facility, DeliveryCentreProposal or "
            "PlanningCycle",
            examples=["TrainingNeed"],
        ),
    ] = None,
    event_type: Annotated[
        PlainText | None, Query(min_length=1, max_length=64, examples=["Endorsed"])
    ] = None,
    actor: Annotated[
        PlainText | None,
        Query(min_length=1, max_length=128, description="Who did it", examples=["tmb.chair"]),
    ] = None,
    since: Moment = None,
    until: Moment = None,
    after: Position = None,
    upto: Position = None,
    effective_from: BusinessDay = None,
    effective_to: BusinessDay = None,
    back_dated_by: Annotated[
        int | None,
        Query(
            ge=0,
            description="Only entries that take effect at least this many days before the day "
            "they were recorded (back-dated entries)",
            examples=[30],
        ),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AuditPage:
    """The history in the order it happened: each event's entity, type, who did it, why, what
    changed, when it was recorded (`at`) and the business date it takes effect
    (`effective_on`), with `days_back` between the two. `since`/`until` bound the recording
    time (both inclusive), `effective_from`/`effective_to` the business date (both inclusive),
    `after`/`upto` the position (after is exclusive, upto inclusive)."""
    filters = {
        "entity_id": entity_id,
        "entity_kind": entity_kind,
        "event_type": event_type,
        "actor": actor,
    }
    ranges = {
        "since": stored_form(since),
        "until": stored_form(until),
        "after": after,
        "upto": upto,
        "effective_from": None if effective_from is None else effective_from.isoformat(),
        "effective_to": None if effective_to is None else effective_to.isoformat(),
        "back_dated_by": back_dated_by,
    }
    return read_page(
        projections, "audit", AuditPage, filters=filters, ranges=ranges, limit=limit, offset=offset
    )


@router.get(
    "/trail/{entity_id}", responses=problems(401, 404, 422), summary="An entity's audit trail"
)
def audit_trail(
    entity_id: UUID, projections: ProjectionsDep, limit: Limit = 100, offset: Offset = 0
) -> AuditPage:
    """Every event of one need, group, facility, centre or cycle, in order: who did what, why
    and when. 404 if the history holds no event of it."""
    page = read_page(
        projections,
        "audit",
        AuditPage,
        filters={"entity_id": entity_id},
        limit=limit,
        offset=offset,
    )
    if not page.total:
        raise NotFound("entity", entity_id)
    return page


@router.get("/as-of", responses=problems(401, 422), summary="The read models as they were")
def as_of(
    stack: StackDep,
    effective_on: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            description="As effective on a business date, YYYY-MM-DD: the events that took "
            "effect on or before it, whenever they were recorded. Not in the future.",
            examples=["2003-07-01"],
        ),
    ] = None,
    at: Annotated[
        PlainText | None,
        Query(
            min_length=1,
            max_length=64,
            description="As recorded at a time, ISO 8601 (UTC if it has no offset); a date "
            "alone means the end of that day. Not in the future.",
            examples=["2026-11-30T17:00:00Z"],
        ),
    ] = None,
    upto: Annotated[
        int | None, Query(ge=0, description="Or: the position of the last event to apply")
    ] = None,
    views: Annotated[
        list[ReadModelName] | None,
        Query(
            description="The read models to show; repeat the parameter for several. Default: "
            + ", ".join(AS_OF_DEFAULT),
            examples=[["needs", "group_time"]],
        ),
    ] = None,
    limit: Limit = 100,
) -> AsOfState:
    """Rebuilds the chosen read models from the history alone, as effective on a business date
    (`effective_on`), as recorded at a time (`at`) or up to a position (`upto`), or a date
    with one of the others, in a scratch database: the live read models are not touched. Each
    read model shows its first `limit` rows and how many there were. The work grows with the
    history: ask for the read models you need."""
    if at is not None and upto is not None:
        raise invalid("query.at", "give at (a time) or upto (a position), not both")
    if effective_on is None and at is None and upto is None:
        raise invalid(
            "query.effective_on", "give effective_on (a date), at (a time) or upto (a position)"
        )
    chosen = list(dict.fromkeys(views or AS_OF_DEFAULT))
    fields = {"as_of": "query.effective_on", "recorded_at": "query.at", "upto": "query.upto"}
    try:
        result = replay(
            stack.settings.database_url,
            effective_on=effective_on,
            recorded_at=at,
            upto=upto,
            names=sorted({QUERIES[name].view for name in chosen}),
            reader=stack.planner,
        )
    except ReplayError as error:
        raise invalid(fields.get(error.field, f"query.{error.field}"), error.rule) from None
    except UnknownView as error:
        raise invalid("query.views", str(error)) from None
    try:
        pages = {
            name: read_page(
                result.projections, name, PAGES.get(name, AuditPage), limit=limit, offset=0
            )
            for name in chosen
        }
        return AsOfState.model_validate(
            {
                "position": result.position,
                "as_of": result.recorded_at,
                "effective_on": result.effective_on,
                "events_applied": result.events_applied,
                "events_total": result.events_total,
                "head": result.projections.head(),
                **pages,
            }
        )
    finally:
        result.close()


@router.get("/verify", responses=problems(401), summary="Prove the history unaltered")
def verify_history(stack: StackDep) -> VerifyReportOut:
    """Recomputes the hash chain over every event, in order, and reports the first event that
    was changed, deleted, inserted or moved since it was sealed. A store that fails the check
    still answers 200: the report is the finding (`ok: false`, `problem`, `first_bad`).
    Events recorded after the last seal are counted as `unsealed`. Write down `head`: a later
    verify must show a chain that extends it."""
    settings = stack.settings
    return VerifyReportOut(**verify(settings.database_url, key=settings.seal_secret).as_dict())


class NDJSONResponse(StreamingResponse):
    media_type = NDJSON


@router.get(
    "/export",
    response_class=NDJSONResponse,
    responses={
        200: {
            "model": ExportLine,
            "description": "JSON Lines: one event a line, in order; each line is an ExportLine",
            "content": {NDJSON: {"schema": {"type": "object"}}},
        },
        **problems(401),
    },
    summary="Export the history as JSON Lines",
)
def export(planner: PlannerDep) -> NDJSONResponse:
    """Every event in order, one JSON object a line (position, entity, type, version, actor,
    reason, time, the readable payload, and the stored topic and state, so that
    `trainplan audit import` restores the store exactly). Streamed as it is read, a batch at a
    time; events recorded after the export starts are left out."""
    return NDJSONResponse(
        export_stream(planner),
        headers={"Content-Disposition": 'attachment; filename="trainplan-events.jsonl"'},
    )


# --- streaming the export ---------------------------------------------------------------------

_END = object()


class _Abandoned(Exception):
    """The client went away: the export stops."""


class _QueueWriter(io.StringIO):
    """A text stream for `export_events` whose every write (a batch of events) goes to the
    response, waiting while the client is slower than the store (at most `depth` batches are
    held). Nothing is kept in the stream itself."""

    def __init__(self, chunks: queue.Queue[Any], stopped: threading.Event) -> None:
        super().__init__()
        self.chunks = chunks
        self.stopped = stopped

    def put(self, item: Any) -> None:
        while True:
            if self.stopped.is_set():
                raise _Abandoned
            try:
                self.chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def write(self, text: str) -> int:
        self.put(text.encode("utf-8"))
        return len(text)


def export_stream(
    planner: TrainingPlanner, batch: int = EXPORT_BATCH, depth: int = 2
) -> Iterator[bytes]:
    """The export as a stream of byte chunks (one per batch of events). `export_events` runs
    in a thread writing to a bounded queue; the response reads from it. If the client goes
    away the thread stops at its next batch."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stopped = threading.Event()
    writer = _QueueWriter(chunks, stopped)

    def produce() -> None:
        try:
            count = export_events(planner, writer, batch=batch)
            log.info("exported %d events", count)
            writer.put(_END)
        except _Abandoned:
            log.info("export abandoned by the client")
        except BaseException as error:  # handed to the response, which raises it
            try:
                writer.put(error)
            except _Abandoned:
                log.exception("export failed after the client went away")

    thread = threading.Thread(target=produce, name="trainplan-export", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopped.set()
