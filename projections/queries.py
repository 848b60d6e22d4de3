"""Read-side queries: the read models as filtered, paged lists, a facility's calendar with the
tentative sessions of draft prospectuses, and the optimiser's input rows (`ReadModelSource`).

A query reads through anything that has the read models' engine and their bound tables
(`Readable`): `projections.runner.Projections` is one, and calls these functions in turn."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from domain import NotFound
from domain.calendar import days_between
from projections.read_model import Bound

MAX_LIMIT = 1000


class Readable(Protocol):
    """The read models' database and every read model bound to its tables, by name."""

    @property
    def engine(self) -> Engine: ...

    @property
    def read_models(self) -> Mapping[str, Bound]: ...


class QueryError(ValueError):
    """A query the read models cannot answer: the field and the rule are named."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


@dataclass(frozen=True)
class Query:
    """A question one table of a read model answers: its filters, order and ranges."""

    read_model: str
    table: str
    filters: tuple[str, ...]
    order: tuple[str, ...]
    ranges: dict[str, tuple[str, str]] = field(default_factory=dict)
    description: str = ""

    @property
    def view(self) -> str:
        """The read model's name, under its old attribute name (api/routers/audit.py)."""
        return self.read_model


DATES = {"from": ("ends_on", ">="), "to": ("starts_on", "<=")}
QUERIES: dict[str, Query] = {
    "needs": Query(
        "needs",
        "needs_register",
        ("need_id", "group_id", "group_code", "status", "level", "course_code"),
        ("identified_at", "need_id"),
        description="The needs register",
    ),
    "facilities": Query(
        "facilities",
        "facility_register",
        ("id", "site", "status", "owning_group_id"),
        ("site", "name"),
        description="Every venue",
    ),
    "facility_calendar": Query(
        "facilities",
        "facility_calendar",
        ("facility_id", "kind", "status", "cycle_id", "session_id"),
        ("facility_id", "starts_on", "entry"),
        DATES,
        "Bookings, closures and confirmed sessions by date",
    ),
    "utilisation": Query(
        "facilities",
        "facility_utilisation",
        ("facility_id", "week"),
        ("facility_id", "week"),
        {"from": ("week", ">="), "to": ("week", "<=")},
        "Room-hours used against an 8-hour day, per facility and week",
    ),
    "group_time": Query(
        "group_time",
        "group_training_time",
        ("group_id", "code"),
        ("code",),
        description="Training time per head against the allowance",
    ),
    "centres": Query(
        "centres",
        "centre_proposals",
        ("id", "status", "site"),
        ("name",),
        description="Delivery centre proposals",
    ),
    "trainer_pools": Query(
        "trainers",
        "trainer_pools",
        ("id", "name", "discipline"),
        ("discipline", "name"),
        description="Trainer pools: discipline, trainers, courses, absences",
    ),
    "trainer_absences": Query(
        "trainers",
        "trainer_absences",
        ("pool_id", "kind"),
        ("pool_id", "starts_on", "absence_id"),
        DATES,
        "Trainers away from their pool (leave, sickness) by date",
    ),
    "cycles": Query(
        "cycles",
        "planning_cycles",
        ("cycle_id", "name", "status"),
        ("starts_on", "name"),
        description="Planning cycles",
    ),
    "runs": Query(
        "cycles",
        "optimisation_runs",
        ("cycle_id", "run_id", "state", "status"),
        ("cycle_id", "started_at", "run_id"),
        description="Optimisation runs",
    ),
    "prospectus": Query(
        "cycles",
        "prospectus",
        ("cycle_id", "edition", "session_id", "course_code", "venue_id", "venue_kind"),
        ("cycle_id", "edition", "starts_on", "course_code", "session_id"),
        DATES,
        "Sessions of the draft and published prospectus",
    ),
    "costs": Query(
        "cycles",
        "cost_lines",
        ("cycle_id", "course_code", "group_id", "group_code"),
        ("cycle_id", "course_code", "group_code"),
        description="Plan and actual cost per course and group, abstraction apart",
    ),
    "audit": Query(
        "audit",
        "audit_trail",
        ("entity_id", "entity_kind", "event_type", "actor"),
        ("position",),
        {
            "since": ("at", ">="),
            "until": ("at", "<="),
            "after": ("position", ">"),
            "upto": ("position", "<="),
            "effective_from": ("effective_on", ">="),
            "effective_to": ("effective_on", "<="),
            "back_dated_by": ("days_back", ">="),
        },
        "Every event in order with who, why, what changed, when recorded and when effective",
    ),
}


def table_of(projections: Readable, spec: Query) -> sa.Table:
    return projections.read_models[spec.read_model].tables[spec.table]


def query(
    projections: Readable,
    name: str,
    *,
    filters: dict[str, Any] | None = None,
    ranges: dict[str, Any] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Rows of the read model `name` matching every filter, in its natural order, paged;
    and how many match in all."""
    spec = QUERIES.get(name)
    if spec is None:
        raise QueryError("name", f"unknown read model; one of: {', '.join(sorted(QUERIES))}")
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError("limit", f"must be from 1 to {MAX_LIMIT}")
    if offset < 0:
        raise QueryError("offset", "must be 0 or more")
    table = table_of(projections, spec)
    conditions = []
    for key, value in (filters or {}).items():
        if value is None:
            continue
        if key not in spec.filters:
            raise QueryError(key, f"not a filter of {name}; filters: {', '.join(spec.filters)}")
        conditions.append(table.c[key] == (str(value) if isinstance(value, UUID) else value))
    for key, value in (ranges or {}).items():
        if value is None:
            continue
        if key not in spec.ranges:
            raise QueryError(
                key, f"not a range of {name}; ranges: {', '.join(spec.ranges) or 'none'}"
            )
        column, op = spec.ranges[key]
        value = value.isoformat() if isinstance(value, date) else value
        conditions.append(table.c[column].op(op)(value))
    where = sa.and_(sa.true(), *conditions)
    columns = [c for c in table.columns if c.name != "doc_key"]
    with projections.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar()
        rows = conn.execute(
            sa.select(*columns)
            .where(where)
            .order_by(*(table.c[o] for o in spec.order))
            .limit(limit)
            .offset(offset)
        )
        return [dict(r._mapping) for r in rows], int(total or 0)


def facility_calendar(
    projections: Readable, facility_id: str, first: date | None = None, last: date | None = None
) -> list[dict[str, Any]]:
    """A venue's calendar: its submitted bookings and closures, the confirmed sessions of
    published prospectuses, and the tentative sessions of draft prospectuses, by date (every
    entry in the range, however many)."""
    ranges = {"from": first, "to": last}
    entries = _every(projections, "facility_calendar", {"facility_id": facility_id}, ranges)
    confirmed = {e["session_id"] for e in entries if e["session_id"]}
    drafts = _every(
        projections,
        "prospectus",
        {"venue_id": facility_id, "edition": "draft", "venue_kind": "facility"},
        ranges,
    )
    for s in drafts:
        if s["session_id"] in confirmed:
            continue
        entries.append(
            {"facility_id": facility_id, "entry": None, "starts_on": s["starts_on"],
             "ends_on": s["ends_on"], "kind": "session", "status": "tentative",
             "purpose": f"{s['course_code']} session {s['session_id']}", "rooms": 1,
             "session_id": s["session_id"], "cycle_id": s["cycle_id"],
             "course_code": s["course_code"]}
        )  # fmt: skip
    entries.sort(key=lambda e: (e["starts_on"], e["ends_on"], e["kind"], e["purpose"]))
    return entries


def _every(
    projections: Readable, name: str, filters: dict[str, Any], ranges: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every matching row of a read model, page by page."""
    rows: list[dict[str, Any]] = []
    while True:
        page, total = query(projections, name, filters=filters, ranges=ranges,
                            limit=MAX_LIMIT, offset=len(rows))  # fmt: skip
        rows.extend(page)
        if not page or len(rows) >= total:
            return rows


def _all(projections: Readable, table: sa.Table, *where: Any) -> list[dict[str, Any]]:
    with projections.engine.connect() as conn:
        rows = conn.execute(sa.select(table).where(*where).order_by(*table.primary_key.columns))
        return [{k: v for k, v in r._mapping.items() if k != "doc_key"} for r in rows]


class ReadModelSource:
    """The optimiser's input rows, read from the read models (planning.adapter.ProblemSource)."""

    def __init__(self, projections: Readable) -> None:
        self.projections = projections

    def _table(self, name: str) -> sa.Table:
        return table_of(self.projections, QUERIES[name])

    def cycle(self, cycle_id: UUID) -> dict[str, Any]:
        cycles = self._table("cycles")
        found = _all(self.projections, cycles, cycles.c.cycle_id == str(cycle_id))
        if not found:
            raise NotFound("planning cycle", cycle_id)
        prospectus = self._table("prospectus")
        sessions = _all(self.projections, prospectus, prospectus.c.cycle_id == str(cycle_id))
        shape = (
            "session_id",
            "course_code",
            "venue_kind",
            "venue_id",
            "starts_on",
            "ends_on",
            "learners",
            "needs",
            "pinned",
        )
        return {
            **found[0],
            "draft": [{k: s[k] for k in shape} for s in sessions if s["edition"] == "draft"],
            "published": [
                {k: s[k] for k in shape} for s in sessions if s["edition"] == "published"
            ],
        }

    def endorsed_needs(self) -> list[dict[str, Any]]:
        needs = self._table("needs")
        return _all(self.projections, needs, needs.c.status.in_(("endorsed", "scheduled")))

    def facilities(self) -> list[dict[str, Any]]:
        return _all(self.projections, self._table("facilities"))

    def rooms_taken(self, facility_id: str, first: date, last: date) -> dict[date, int]:
        calendar = self._table("facility_calendar")
        rows = _all(
            self.projections,
            calendar,
            calendar.c.facility_id == facility_id,
            calendar.c.ends_on >= first.isoformat(),
            calendar.c.starts_on <= last.isoformat(),
        )
        taken: Counter[date] = Counter()
        for row in rows:
            start = max(date.fromisoformat(row["starts_on"]), first)
            end = min(date.fromisoformat(row["ends_on"]), last)
            for day in days_between(start, end):
                taken[day] += row["rooms"]
        return dict(taken)

    def centres(self) -> list[dict[str, Any]]:
        return _all(self.projections, self._table("centres"))

    def groups(self) -> list[dict[str, Any]]:
        return [
            {**row, "id": row["group_id"]}
            for row in _all(self.projections, self._table("group_time"))
        ]

    def trainer_pools(self) -> list[dict[str, Any]]:
        absences: dict[str, list[dict[str, Any]]] = {}
        for row in _all(self.projections, self._table("trainer_absences")):
            absences.setdefault(row["pool_id"], []).append(row)
        return [
            {**row, "absences": absences.get(row["id"], [])}
            for row in _all(self.projections, self._table("trainer_pools"))
        ]
