"""The audit desk (auditors): verify the history with its result, the state as of a business
date (replayed from the events alone, into a scratch database: the events that took effect by
that date, optionally as the store held them at a recording time), a need's or a facility's
trail with both dates of every step, and the export of every event."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from api.files.prospectus import every_row
from api.http.routers.audit import export_stream
from api.web.common import StackDep, UserDep, facility_names, render, require_auditor
from api.web.pages.needs import story
from projections.integrity import verify
from projections.replay import Replay, ReplayError, replay

router = APIRouter(include_in_schema=False)

AS_OF = ["needs", "cycles", "centres", "facilities"]
TABLES = {  # each replayed table, as people call it
    "needs_register": "needs in the register",
    "planning_cycles": "planning cycles",
    "optimisation_runs": "optimisation runs",
    "prospectus": "prospectus sessions (draft and published)",
    "cost_lines": "cost lines",
    "centre_proposals": "delivery centre proposals",
    "facility_register": "facilities",
    "facility_calendar": "facility calendar entries",
    "facility_utilisation": "facility-weeks of utilisation",
}


def as_of_state(stack: Any, effective_on: str, recorded_at: str | None = None) -> dict[str, Any]:
    """The read models rebuilt from the events alone as they stood on a business date (the
    events that took effect on or before it, whenever recorded), optionally as the store held
    them at a recording time: the needs by stage, the cycles with their prospectus, the
    delivery centre proposals, and each table's rows."""
    if not effective_on.strip():
        raise ReplayError("as_of", "give the business date, YYYY-MM-DD")
    result = replay(
        stack.settings.database_url,
        effective_on=effective_on,
        recorded_at=recorded_at or None,
        names=AS_OF,
        reader=stack.planner,
    )
    try:
        needs = every_row(result.projections, "needs")
        cycles = every_row(result.projections, "cycles")
        for cycle in cycles:  # the business date of the edition in force then
            cycle["published"] = _published(stack, cycle, result)
        return {
            "effective_on": result.effective_on,
            "recorded_at": result.recorded_at,
            "position": result.position,
            "applied": result.events_applied,
            "total": result.events_total,
            "tables": [
                (TABLES.get(name, name.replace("_", " ")), rows)
                for name, rows in result.tables.items()
            ],
            "stages": sorted(Counter(n["status"] for n in needs).items()),
            "needs": needs,
            "cycles": cycles,
            "centres": every_row(result.projections, "centres"),
            "facilities": len(every_row(result.projections, "facilities")),
        }
    finally:
        result.close()


def _published(stack: Any, cycle: dict[str, Any], result: Replay) -> dict[str, Any] | None:
    """The cycle's latest publication the replay applied: its business date and recording."""
    if not cycle.get("published_at"):
        return None
    ranges = {"effective_to": result.effective_on, "upto": result.position}
    found = every_row(stack.projections, "audit",
                      {"entity_id": cycle["cycle_id"], "event_type": "ProspectusPublished"},
                      ranges)  # fmt: skip
    return found[-1] if found else None


@router.get("/audit", response_class=HTMLResponse)
def desk(
    request: Request,
    user: UserDep,
    stack: StackDep,
    check: Annotated[str | None, Query(max_length=5)] = None,
    as_of: Annotated[str | None, Query(max_length=32)] = None,
    recorded_at: Annotated[str | None, Query(max_length=40)] = None,
    entity: Annotated[str | None, Query(max_length=36)] = None,
) -> HTMLResponse:
    require_auditor(user)
    projections = stack.projections
    report = None
    if check:
        settings = stack.settings
        report = verify(settings.database_url, key=settings.seal_secret).as_dict()
    state, state_error = None, None
    if as_of is not None or recorded_at:
        try:
            state = as_of_state(stack, as_of or "", recorded_at)
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
        as_of=as_of or "", recorded_at=recorded_at or "", trail=trail, trail_name=trail_name,
        entity=entity or "", needs=needs, facilities=facilities, head=projections.head(),
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
