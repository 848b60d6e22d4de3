"""The needs register with its filters, and a need's page: its analysis and decisions now, and
its story as a timeline from its events (who did what, when, and why)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.files.prospectus import every_row
from api.web.common import (
    FormDep,
    PageRefused,
    ProjectionsDep,
    StackDep,
    UserDep,
    id_names,
    readable,
    render,
    require,
    see_other,
    words,
)
from api.web.dates import DECISIONS as DECIDED
from api.web.dates import business_dates
from api.web.pages.home import STAGES
from api.web.session import WebUser
from domain import DomainError, InvalidValue
from planning.model import LEVELS
from projections import Projections

router = APIRouter(include_in_schema=False)

PAGE = 100
DECISIONS = {
    "prioritise": "prioritise a training need",
    "endorse": "endorse a training need",
    "reject": "reject a training need",
    "withdraw": "withdraw a training need",
}
OPEN = ("identified", "analysed", "prioritised", "endorsed", "scheduled")
Text = Annotated[str | None, Query(max_length=40)]


@router.get("/needs", response_class=HTMLResponse)
def register(
    request: Request,
    user: UserDep,
    projections: ProjectionsDep,
    group: Text = None,
    stage: Text = None,
    priority: Text = None,
    course: Text = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    filters = {"group_code": group or None, "status": stage or None,
               "level": priority or None, "course_code": course or None}  # fmt: skip
    rows, total = projections.query("needs", filters=filters, limit=PAGE, offset=(page - 1) * PAGE)
    dates = business_dates(projections, (r["need_id"] for r in rows), ("Identified", *DECIDED))
    for row in rows:
        found = dates.get(row["need_id"], {})
        row["identified"] = found.get("Identified")
        row["decided"] = found.get(row["last_decision"] or "")
    every = every_row(projections, "needs")
    query = "&".join(f"{k}={quote(v)}" for k, v in request.query_params.items() if k != "page")
    return render(
        request, user, "needs.html", needs=rows, total=total, page=page,
        pages=max(1, -(-total // PAGE)), query=query,
        chosen={"group": group or "", "stage": stage or "", "priority": priority or "",
                "course": course or ""},
        groups=sorted({r["group_code"] for r in every if r["group_code"]}),
        stages=STAGES, levels=LEVELS,
        courses=sorted({r["course_code"] for r in every if r["course_code"]}),
    )  # fmt: skip


def story(projections: Projections, entity_id: str) -> list[dict[str, Any]]:
    """An entity's events in order, in words: what happened, who, why, the details, and both
    dates: the business date it took effect and when it was recorded (`days_back` apart)."""
    names = id_names(projections)
    return [
        {**event, "what": words(event["event_type"]),
         "details": readable(event["summary"], names)}
        for event in every_row(projections, "audit", {"entity_id": entity_id})
    ]  # fmt: skip


def offers(user: WebUser, need: dict[str, Any]) -> set[str]:
    """The decisions this user may take on this need now: the role's right, the group for
    planners and chairs, and the need's stage (the aggregate has the last word)."""
    scope = user.principal.acting_for
    own = scope is None or need["group_id"] in {str(g) for g in scope}
    status = need["status"]
    found = set()
    if own and user.may(DECISIONS["prioritise"]) and status in ("analysed", "prioritised"):
        found.add("prioritise")
    if status == "prioritised":
        found |= {d for d in ("endorse", "reject") if user.may(DECISIONS[d])}
    if own and user.may(DECISIONS["withdraw"]) and status in OPEN:
        found.add("withdraw")
    return found


def milestones(need: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """The dates of the need's identification and of its latest decision, from its story."""
    found = {e["event_type"]: e for e in events}
    return {"identified": found.get("Identified"),
            "decided": found.get(need["last_decision"] or "")}  # fmt: skip


def _need(projections: Projections, need_id: UUID) -> dict[str, Any]:
    found = every_row(projections, "needs", {"need_id": str(need_id)})
    if not found:
        raise PageRefused(404, "No such need", "There is no training need with that address.")
    return found[0]


@router.get("/needs/{need_id}", response_class=HTMLResponse)
def need_page(
    request: Request, need_id: UUID, user: UserDep, projections: ProjectionsDep
) -> HTMLResponse:
    need = _need(projections, need_id)
    events = story(projections, str(need_id))
    return render(request, user, "need.html", need=need, offers=offers(user, need),
                  events=events, levels=LEVELS, **milestones(need, events))  # fmt: skip


@router.post("/needs/{need_id}/decide", response_class=HTMLResponse)
def decide(
    request: Request, need_id: UUID, user: UserDep, stack: StackDep, form: FormDep
) -> Response:
    """A board's or the TMB's decision on the need, through the application's commands, against
    the version the page showed."""
    decision = str(form.get("decision") or "")
    if decision not in DECISIONS:
        raise PageRefused(
            422, "Decision refused", "decision: must be one of " + ", ".join(DECISIONS)
        )
    require(user, DECISIONS[decision])
    need = _need(stack.projections, need_id)
    reason = " ".join(str(form.get("reason") or "").split())
    version_text = str(form.get("version") or "")
    expected = int(version_text) if version_text.isdigit() else None
    planner, actor, scope = stack.planner, user.name, user.principal.acting_for
    try:
        if not reason:
            raise InvalidValue("reason", "must say why (not blank)")
        if decision == "prioritise":
            score_text = str(form.get("score") or "")
            if not score_text.isdigit():
                raise InvalidValue("score", "must be a whole number from 0 to 100")
            planner.prioritise_need(need_id, level=str(form.get("level") or ""),
                                    score=int(score_text), reason=reason, actor=actor,
                                    expected_version=expected, acting_for=scope)  # fmt: skip
        elif decision == "endorse":
            planner.endorse_need(need_id, reason=reason, actor=actor, expected_version=expected)
        elif decision == "reject":
            planner.reject_need(need_id, reason=reason, actor=actor, expected_version=expected)
        else:
            planner.withdraw_need(need_id, reason=reason, actor=actor,
                                  expected_version=expected, acting_for=scope)  # fmt: skip
    except DomainError as refused:
        events = story(stack.projections, str(need_id))
        return render(request, user, "need.html", status=422, need=need,
                      offers=offers(user, need), events=events, levels=LEVELS,
                      error=str(refused), reason=reason, **milestones(need, events))  # fmt: skip
    return see_other(f"/needs/{need_id}")
