"""The prospectus of a cycle: sessions grouped by course, filtered by business group, course,
venue and month, printable on A4, and downloadable as CSV, iCalendar and XLSX (the same files
as the API and the CLI: `api.files`)."""

from __future__ import annotations

import threading
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.files import exports
from api.files.prospectus import Selection, edition, every_row
from api.web.common import PageRefused, ProjectionsDep, UserDep, chosen_cycle, render
from api.web.dates import published
from domain import InvalidValue
from projections import Projections

router = APIRouter(include_in_schema=False)

Text = Annotated[str | None, Query(max_length=200)]
PAGE_SESSIONS = 400
"""Sessions to a page (a longer course goes on over the next); the downloads hold them all."""
FORMATS = {
    "csv": (exports.CSV_TYPE, "csv"),
    "ics": (exports.ICS_TYPE, "ics"),
    "xlsx": (exports.XLSX_TYPE, "xlsx"),
}


def _selection(
    group: str | None, course: str | None, venue: str | None, month: str | None
) -> Selection:
    try:
        return Selection(group or None, course or None, venue or None, month or None)
    except InvalidValue as error:
        raise PageRefused(422, "Filter refused", f"{error.field}: {error.rule}") from None


_editions: dict[tuple[str, str, str], tuple[int, list[dict[str, Any]]]] = {}
_lock = threading.Lock()


def sessions_of(projections: Projections, cycle_id: str, which: str) -> list[dict[str, Any]]:
    """Every session of the cycle's edition, numbered within its course (`edition`), kept while
    the cycles read model has not moved: a prospectus is read far more often than it changes.
    The rows are shared: read them, never change them."""
    position = projections.positions().get("cycles", 0)
    key = (projections.read_models_url, cycle_id, which)
    with _lock:
        kept = _editions.get(key)
    if kept is not None and kept[0] == position:
        return kept[1]
    rows = edition(projections, cycle_id, which)
    with _lock:
        if len(_editions) >= 4:
            _editions.clear()
        _editions[key] = (position, rows)
    return rows


def _sessions(
    projections: Projections, cycle: dict[str, Any], which: str, selection: Selection
) -> list[dict[str, Any]]:
    return [
        row for row in sessions_of(projections, cycle["cycle_id"], which) if selection.keeps(row)
    ]


def _months(cycle: dict[str, Any]) -> list[str]:
    year, month = int(cycle["starts_on"][:4]), int(cycle["starts_on"][5:7])
    last = cycle["ends_on"][:7]
    out: list[str] = []
    while f"{year:04d}-{month:02d}" <= last and len(out) < 36:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@router.get("/prospectus", response_class=HTMLResponse)
def prospectus(
    request: Request,
    user: UserDep,
    projections: ProjectionsDep,
    cycle: Text = None,
    which: Annotated[str, Query(alias="edition", pattern="^(published|draft)$")] = "published",
    group: Text = None,
    course: Text = None,
    venue: Text = None,
    month: Text = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    chosen = chosen_cycle(projections, cycle)
    selection = _selection(group, course, venue, month)
    everything = sessions_of(projections, chosen["cycle_id"], which) if chosen else []
    rows = [row for row in everything if selection.keeps(row)]
    courses: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = courses.setdefault(
            row["course_code"], {"code": row["course_code"], "title": row["title"], "sessions": [],
                                 "places": 0, "of": row["of"]}
        )  # fmt: skip
        entry["sessions"].append(row)
        entry["places"] += row["places"]
    pages = paged(list(courses.values()))
    shown = pages[min(max(page, 1), len(pages)) - 1] if pages else []
    venues: dict[str, str] = {}
    titles: dict[str, str] = {}
    for row in everything:
        venues[row["venue_name"] or ""] = row["site"] or ""
        titles[row["course_code"]] = row["title"] or ""
    groups = sorted(r["code"] for r in every_row(projections, "group_time"))
    query = "&".join(f"{k}={quote(v)}" for k, v in request.query_params.items() if k != "page")
    return render(
        request, user, "prospectus.html", cycle=chosen, cycles=every_row(projections, "cycles"),
        published=published(projections, chosen), edition=which, selection=selection,
        courses=shown, page=min(max(page, 1), len(pages) or 1),
        pages=len(pages), course_count=len(courses),
        sessions=len(rows), places=sum(r["places"] for r in rows),
        groups=groups, titles=sorted(titles.items()), venues=sorted(venues),
        months=_months(chosen) if chosen else [], query=query,
    )  # fmt: skip


@router.get("/prospectus/download")
def download(
    user: UserDep,
    projections: ProjectionsDep,
    format: Annotated[str, Query(pattern="^(csv|ics|xlsx)$")] = "csv",
    cycle: Text = None,
    which: Annotated[str, Query(alias="edition", pattern="^(published|draft)$")] = "published",
    group: Text = None,
    course: Text = None,
    venue: Text = None,
    month: Text = None,
) -> Response:
    """The sessions the page shows, as a file."""
    chosen = chosen_cycle(projections, cycle)
    if chosen is None:
        raise PageRefused(404, "No prospectus", "There is no planning cycle yet.")
    rows = _sessions(projections, chosen, which, _selection(group, course, venue, month))
    rows.sort(key=lambda r: (r["course_code"], r["starts_on"], r["session_id"]))
    name = chosen["name"]
    if format == "ics":
        data = exports.prospectus_ics(rows, name)
    elif format == "xlsx":
        data = exports.prospectus_xlsx(rows, f"Prospectus {name}")
    else:
        data = exports.prospectus_csv(rows)
    media, suffix = FORMATS[format]
    stem = "prospectus-" + name.replace("/", "-").replace(" ", "-")
    if which == "draft":
        stem += "-draft"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{suffix}"'},
    )


def paged(courses: list[dict[str, Any]], size: int = PAGE_SESSIONS) -> list[list[dict[str, Any]]]:
    """At most `size` sessions to a page; a course longer than what is left of a page goes on
    over the next (its part on each page says which sessions it shows)."""
    pages: list[list[dict[str, Any]]] = [[]]
    room = size
    for entry in courses:
        sessions = entry["sessions"]
        start = 0
        while start < len(sessions):
            if room == 0:
                pages.append([])
                room = size
            part = sessions[start : start + room]
            pages[-1].append({**entry, "sessions": part, "continued": start > 0,
                              "shown_places": sum(r["places"] for r in part)})  # fmt: skip
            start += len(part)
            room -= len(part)
    return [page for page in pages if page]
