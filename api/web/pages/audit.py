"""The audit desk (auditors): verify the history with its result, the state as of a date
(replayed from the events alone, into a scratch database), a need's or a facility's trail, and
the export of every event."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from api.files.prospectus import every_row
from api.http.routers.audit import export_stream
from api.web.common import StackDep, UserDep, facility_names, render, require_auditor
from api.web.pages.needs import story
from projections.integrity import verify
from projections.replay import ReplayError, replay

router = APIRouter(include_in_schema=False)

AS_OF = ["needs", "cycles", "facilities"]


def moment_of(day: str, clock: str | None, now: datetime | None = None) -> datetime:
    """The moment a date (and a time of day, UTC) names: the end of the day without a time;
    a moment still to come today is now."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise ReplayError("as_of", f"{day!r} must be a date, YYYY-MM-DD") from None
    if clock:
        try:
            at = time.fromisoformat(clock)
        except ValueError:
            raise ReplayError("at", f"{clock!r} must be a time of day, HH:MM") from None
    else:
        at = time(23, 59, 59, 999999)
    moment = datetime.combine(when, at, tzinfo=UTC)
    now = now or datetime.now(UTC)
    if moment > now and when <= now.date():
        return now
    return moment


def as_of_state(stack: Any, moment: datetime) -> dict[str, Any]:
    """The read models rebuilt from the events recorded up to `moment`: the needs by stage,
    the cycles and the facilities as they stood."""
    result = replay(
        stack.settings.database_url, recorded_at=moment, names=AS_OF, reader=stack.planner
    )
    try:
        needs = every_row(result.projections, "needs")
        return {
            "position": result.position,
            "as_of": result.recorded_at,
            "stages": sorted(Counter(n["status"] for n in needs).items()),
            "needs": needs,
            "cycles": every_row(result.projections, "cycles"),
            "facilities": len(every_row(result.projections, "facilities")),
        }
    finally:
        result.close()


@router.get("/audit", response_class=HTMLResponse)
def desk(
    request: Request,
    user: UserDep,
    stack: StackDep,
    check: Annotated[str | None, Query(max_length=5)] = None,
    as_of: Annotated[str | None, Query(max_length=32)] = None,
    at: Annotated[str | None, Query(max_length=16)] = None,
    entity: Annotated[str | None, Query(max_length=36)] = None,
) -> HTMLResponse:
    require_auditor(user)
    projections = stack.projections
    report = None
    if check:
        settings = stack.settings
        report = verify(settings.database_url, key=settings.seal_secret).as_dict()
    state, state_error = None, None
    if as_of:
        try:
            state = as_of_state(stack, moment_of(as_of, at or None))
        except ReplayError as error:
            state_error = f"{error.field}: {error.rule}"
    trail, trail_name = None, None
    needs = sorted(every_row(projections, "needs"), key=lambda n: n["title"])
    facilities = sorted(facility_names(projections).items(), key=lambda f: f[1])
    if entity:
        names = {n["need_id"]: n["title"] for n in needs} | dict(facilities)
        trail_name = names.get(entity, entity)
        trail = story(projections, entity)
    return render(
        request, user, "audit.html", report=report, state=state, state_error=state_error,
        as_of=as_of or "", at=at or "", trail=trail, trail_name=trail_name, entity=entity or "",
        needs=needs, facilities=facilities, head=projections.head(),
    )  # fmt: skip


@router.get("/audit/export")
def export(user: UserDep, stack: StackDep) -> StreamingResponse:
    """Every event as JSON Lines (the same stream as the API's export)."""
    require_auditor(user)
    return StreamingResponse(
        export_stream(stack.planner),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="trainplan-events.jsonl"'},
    )
