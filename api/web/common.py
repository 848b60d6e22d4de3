"""What every page shares: the templates and their number formats, the signed-in user (or a
redirect to the sign-in form), the CSRF check of every form, the refusal page, and the names
people read instead of ids."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from api.files.prospectus import every_row
from api.http.auth import Principal
from api.stack import Stack
from api.web.session import COOKIE, WebUser, same_secret, signing_key, user_of
from projections import Projections

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


# --- numbers and dates as people read them -----------------------------------------------------


def number(value: Any, places: int = 0) -> str:
    if value is None or value == "":
        return "-"
    return f"{float(value):,.{places}f}"


def pounds(value: Any) -> str:
    if value is None or value == "":
        return "-"
    return f"£{float(value):,.0f}"


def hours(value: Any, places: int = 1) -> str:
    if value is None or value == "":
        return "-"
    return f"{float(value):,.{places}f} h"


def percent(value: Any, places: int = 0) -> str:
    if value is None or value == "":
        return "-"
    return f"{float(value) * 100:.{places}f}%"


def day(value: Any) -> str:
    """`2 Jun 2003` from a date or an ISO date text."""
    if not value:
        return "-"
    when = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{when.day} {when:%b %Y}"


def moment(value: Any) -> str:
    """`2 Dec 2026, 07:10 UTC` from a recorded time."""
    if not value:
        return "-"
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return f"{when.day} {when:%b %Y, %H:%M} UTC"


OUTCOMES = {
    "OPTIMAL": "the best plan, proved",
    "FEASIBLE": "a good plan, not proved the best in the time given",
    "INFEASIBLE": "no plan keeps every rule",
    "CANCELLED": "cancelled",
    "INTERRUPTED": "interrupted by a restart",
    "FAILED": "failed",
}


def outcome(status: Any) -> str:
    """A run's solver status in the board's words (`OPTIMAL` -> `the best plan, proved`)."""
    return OUTCOMES.get(str(status or "").upper(), str(status or "").lower())


for name, function in {"number": number, "pounds": pounds, "hours": hours, "percent": percent,
                       "day": day, "moment": moment, "outcome": outcome}.items():  # fmt: skip
    templates.env.filters[name] = function
templates.env.filters["q"] = lambda value: quote(str(value or ""), safe="")


# --- who is signed in -------------------------------------------------------------------------


class SignInRequired(Exception):
    """No valid session: the page answers with the sign-in form's address."""


class PageRefused(Exception):
    """The signed-in user may not see or do this, or the form is not from this site."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def stack_of(request: Request) -> Stack:
    stack: Stack = request.app.state.stack
    return stack


def session_key(request: Request) -> bytes:
    stack = stack_of(request)
    return signing_key(request.app.state.tokens, stack.settings.seal_secret)


def current_user(request: Request) -> WebUser:
    tokens: dict[str, Principal] = request.app.state.tokens
    user = user_of(session_key(request), tokens, request.cookies.get(COOKIE))
    if user is None:
        raise SignInRequired
    request.state.web_user = user
    return user


UserDep = Annotated[WebUser, Depends(current_user)]


def projections_of(request: Request) -> Projections:
    return stack_of(request).projections


ProjectionsDep = Annotated[Projections, Depends(projections_of)]
StackDep = Annotated[Stack, Depends(stack_of)]


async def checked_form(request: Request, user: UserDep) -> FormData:
    """The posted form, once its `csrf` field matches the session's secret."""
    form = await request.form()
    if not same_secret(user.csrf, form.get("csrf")):
        raise PageRefused(
            403,
            "Form refused",
            "This form did not come from this site or your session has changed: "
            "reload the page and try again.",
        )
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


def require(user: WebUser, action: str) -> None:
    if not user.may(action):
        raise PageRefused(403, "Not allowed", f"{user.name} ({user.role.value}) may not {action}.")


def require_auditor(user: WebUser) -> None:
    if not user.is_auditor:
        raise PageRefused(
            403, "Not allowed", f"The audit desk is for auditors; {user.name} is {user.role.value}."
        )


def render(
    request: Request, user: WebUser | None, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, template, {"user": user, "path": request.url.path, **context},
        status_code=status,
    )  # fmt: skip


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def on_sign_in_required(request: Request, error: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/login?next={quote(target, safe='')}")


async def on_page_refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageRefused)
    user = getattr(request.state, "web_user", None)
    return render(request, user, "refused.html", status=error.status, error=error)


# --- the names people read --------------------------------------------------------------------


def cycles(projections: Projections) -> list[dict[str, Any]]:
    """Every planning cycle, the latest first."""
    rows = every_row(projections, "cycles")
    return sorted(rows, key=lambda r: (r["starts_on"], r["name"]), reverse=True)


def chosen_cycle(projections: Projections, name: str | None) -> dict[str, Any] | None:
    """The cycle named, or else the current one: the latest that is not closed (or the latest)."""
    every = cycles(projections)
    if name:
        for row in every:
            if row["name"] == name:
                return row
        raise PageRefused(404, "No such cycle", f"There is no planning cycle named {name!r}.")
    open_ = [row for row in every if row["status"] != "closed"]
    return (open_ or every)[0] if every else None


def facility_names(projections: Projections) -> dict[str, str]:
    return {r["id"]: f"{r['name']} ({r['site']})" for r in every_row(projections, "facilities")}


def centre_names(projections: Projections) -> dict[str, str]:
    return {r["id"]: r["name"] for r in every_row(projections, "centres")}


def group_codes(projections: Projections) -> dict[str, str]:
    return {r["group_id"]: r["code"] for r in every_row(projections, "group_time")}


def need_titles(projections: Projections) -> Mapping[str, dict[str, Any]]:
    return {r["need_id"]: r for r in every_row(projections, "needs")}


def id_names(projections: Projections) -> dict[str, str]:
    """Every id a person might meet in an event's summary, with its name: groups (code),
    facilities, centres, cycles and needs."""
    names = {key: code for key, code in group_codes(projections).items()}
    names.update(facility_names(projections))
    names.update(centre_names(projections))
    names.update({row["cycle_id"]: row["name"] for row in every_row(projections, "cycles")})
    names.update({key: row["title"] for key, row in need_titles(projections).items()})
    return names


def readable(summary: str, names: Mapping[str, str]) -> str:
    """An event's summary without its kind and type prefix and with ids as names."""
    _, colon, rest = summary.partition(": ")
    text = rest if colon else ""
    for found in set(UUID_TEXT.findall(text)):
        if found in names:
            text = text.replace(found, names[found])
    return text


def words(event_type: str) -> str:
    """`AnalysisRecorded` -> `analysis recorded`."""
    return CAMEL.sub(" ", event_type).lower()
