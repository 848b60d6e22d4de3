"""The prospectus as people read it: a cycle's sessions with their course's title and their
number within the course ("OT232 Officer safety training, session 38 of 102"), grouped by
course, filtered the way a planner asks (a business group, a course, a venue or site, a month).
The same words name the sessions in a facility's calendar.

Plain functions over the read models (`projections.Projections.query`), shared by the CLI, the
HTTP API and the web pages."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from domain import InvalidValue
from projections.queries import MAX_LIMIT

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
EDITION_OF_STATUS = {"confirmed": "published", "tentative": "draft"}


class Queryable(Protocol):
    """What reads a read model a page at a time (`projections.Projections`)."""

    def query(
        self,
        name: str,
        *,
        filters: dict[str, Any] | None = None,
        ranges: dict[str, Any] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]: ...


def every_row(
    projections: Queryable,
    name: str,
    filters: dict[str, Any] | None = None,
    ranges: dict[str, Any] | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The rows of a read model that match, from `offset`, at most `limit` of them (None: all),
    read a page at a time (the read models answer at most MAX_LIMIT rows per query)."""
    rows: list[dict[str, Any]] = []
    while limit is None or len(rows) < limit:
        want = MAX_LIMIT if limit is None else min(MAX_LIMIT, limit - len(rows))
        page, total = projections.query(
            name, filters=filters, ranges=ranges, limit=want, offset=offset + len(rows)
        )
        rows.extend(page)
        if not page or offset + len(rows) >= total:
            break
    return rows


def session_label(row: dict[str, Any]) -> str:
    """`OT232 Officer safety training, session 38 of 102` (the number when known)."""
    title = f"{row['course_code']} {row.get('title') or ''}".strip()
    if row.get("number"):
        return f"{title}, session {row['number']} of {row['of']}"
    return f"{title}, session on {row['starts_on']}"


def numbered(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sessions grouped by course (by code, then start date), each with its `number` within
    its course and the course's count (`of`). Give every session of the edition: a number
    counts the sessions it is given."""
    by_course: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_course[row["course_code"]].append(row)
    out = []
    for code in sorted(by_course):
        sessions = sorted(by_course[code], key=lambda r: (r["starts_on"], r["session_id"]))
        for number, row in enumerate(sessions, start=1):
            out.append({**row, "number": number, "of": len(sessions)})
    return out


@dataclass(frozen=True)
class Selection:
    """What a planner asks of a prospectus: one group (its code), one course (its code, or a
    word of its title), one venue (a word of its name or site), one month (YYYY-MM)."""

    group: str | None = None
    course: str | None = None
    venue: str | None = None
    month: str | None = None

    def __post_init__(self) -> None:
        if self.month is not None and not MONTH.match(self.month):
            raise InvalidValue("month", f"must be YYYY-MM, e.g. 2003-06 (not {self.month!r})")

    def keeps(self, row: dict[str, Any]) -> bool:
        if self.group:
            codes = {c.strip().lower() for c in str(row.get("groups") or "").split(",")}
            if self.group.strip().lower() not in codes:
                return False
        if self.course:
            wanted = self.course.strip().lower()
            title = str(row.get("title") or "").lower()
            if wanted != str(row["course_code"]).lower() and wanted not in title:
                return False
        if self.venue:
            wanted = self.venue.strip().lower()
            where = f"{row.get('venue_name') or ''} {row.get('site') or ''}".lower()
            if wanted not in where:
                return False
        if self.month:
            first, last = f"{self.month}-01", f"{self.month}-31"
            if row["ends_on"] < first or row["starts_on"] > last:
                return False
        return True


def edition(projections: Queryable, cycle_id: str, which: str) -> list[dict[str, Any]]:
    """Every session of a cycle's draft or published prospectus, numbered within its course
    and grouped by course."""
    return numbered(every_row(projections, "prospectus", {"cycle_id": cycle_id, "edition": which}))


def calendar_words(projections: Queryable, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A facility calendar's entries with each session's purpose in words (course, title, its
    number within the course in that prospectus) instead of its internal key."""
    wanted: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for entry in entries:
        if entry.get("kind") == "session" and entry.get("cycle_id") and entry.get("course_code"):
            which = EDITION_OF_STATUS.get(str(entry.get("status")), "published")
            wanted[(str(entry["cycle_id"]), which, str(entry["course_code"]))].add(
                str(entry["session_id"])
            )
    labels: dict[tuple[str, str], str] = {}
    for (cycle_id, which, code), _ in wanted.items():
        course = numbered(
            every_row(
                projections,
                "prospectus",
                {"cycle_id": cycle_id, "edition": which, "course_code": code},
            )
        )
        for row in course:
            labels[(which, row["session_id"])] = session_label(row)
    out = []
    for entry in entries:
        if entry.get("kind") == "session":
            which = EDITION_OF_STATUS.get(str(entry.get("status")), "published")
            label = labels.get((which, str(entry.get("session_id"))))
            if label is None:
                label = session_label({**entry, "title": None})
            entry = {**entry, "purpose": label}
        out.append(entry)
    return out


def confirmed_session_words(projections: Queryable) -> Callable[[Mapping[str, Any]], str]:
    """Names a facility's confirmed session in people's words, from the published prospectus:
    `the confirmed session OT232 Officer safety training, session 38 of 102 (2003-06-02 to
    2003-06-03)`. For the schedule importer's clashes (`api.files.schedule`)."""
    labels: dict[tuple[str, str], dict[str, str]] = {}

    def words(session: Mapping[str, Any]) -> str:
        key = (str(session.get("cycle_id")), str(session["course_code"]))
        if key not in labels:
            course = every_row(
                projections,
                "prospectus",
                {"cycle_id": key[0], "edition": "published", "course_code": key[1]},
            )
            labels[key] = {row["session_id"]: session_label(row) for row in numbered(course)}
        label = labels[key].get(str(session["session_id"]), str(session["course_code"]))
        return f"the confirmed session {label} ({session['starts_on']} to {session['ends_on']})"

    return words
