"""Facilities: the register of venues, each venue's calendar (its submitted bookings and
closures, and the confirmed sessions of published prospectuses) and its utilisation per week
against an 8-hour day. Tentative sessions (a draft prospectus) are joined in by the calendar
query from the cycles read model's prospectus rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa

from domain import Facility
from domain.calendar import monday_of, overlaps, working_days
from projections.read_model import Doc, Docs, Event, ReadModel, Rows, handles

HOURS_PER_DAY = 8.0


class FacilityCalendar(ReadModel):
    name = "facilities"
    title = "Facility register, calendar and utilisation"
    follows = (Facility,)
    renders_prefixes = ("Facility:",)

    def define(self, metadata: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
        register = sa.Table(
            f"facility_register{suffix}",
            metadata,
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("site", sa.String(200), nullable=False),
            sa.Column("owning_group_id", sa.String(36)),
            sa.Column("capacity", sa.Integer, nullable=False),
            sa.Column("rooms", sa.Integer, nullable=False),
            sa.Column("features", sa.JSON, nullable=False),
            sa.Column("cost_per_day", sa.Float, nullable=False),
            sa.Column("running_cost_per_year", sa.Float, nullable=False),
            sa.Column("opened_on", sa.String(10)),
            sa.Column("decommissioned_on", sa.String(10)),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("bookings", sa.Integer, nullable=False),
            sa.Column("confirmed_sessions", sa.Integer, nullable=False),
            sa.Column("registered_by", sa.String(128)),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("doc_key", sa.String(120), nullable=False),
            sa.Index(f"ix_facility_register{suffix}_doc", "doc_key"),
        )
        calendar = sa.Table(
            f"facility_calendar{suffix}",
            metadata,
            sa.Column("facility_id", sa.String(36), primary_key=True),
            sa.Column("entry", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("starts_on", sa.String(10), nullable=False),
            sa.Column("ends_on", sa.String(10), nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),  # booking | closure | session
            sa.Column("status", sa.String(20), nullable=False),  # submitted | confirmed
            sa.Column("purpose", sa.String(300), nullable=False),
            sa.Column("rooms", sa.Integer, nullable=False),
            sa.Column("session_id", sa.String(80)),
            sa.Column("cycle_id", sa.String(36)),
            sa.Column("course_code", sa.String(20)),
            sa.Column("doc_key", sa.String(120), nullable=False),
            sa.Index(f"ix_facility_calendar{suffix}_doc", "doc_key"),
            sa.Index(f"ix_facility_calendar{suffix}_dates", "facility_id", "starts_on"),
        )
        utilisation = sa.Table(
            f"facility_utilisation{suffix}",
            metadata,
            sa.Column("facility_id", sa.String(36), primary_key=True),
            sa.Column("week", sa.String(10), primary_key=True),  # its Monday
            sa.Column("rooms", sa.Integer, nullable=False),
            sa.Column("available_hours", sa.Float, nullable=False),
            sa.Column("closed_hours", sa.Float, nullable=False),
            sa.Column("booked_hours", sa.Float, nullable=False),
            sa.Column("session_hours", sa.Float, nullable=False),
            sa.Column("used_hours", sa.Float, nullable=False),
            sa.Column("utilisation", sa.Float, nullable=False),
            sa.Column("doc_key", sa.String(120), nullable=False),
            sa.Index(f"ix_facility_utilisation{suffix}_doc", "doc_key"),
        )
        return {
            "facility_register": register,
            "facility_calendar": calendar,
            "facility_utilisation": utilisation,
        }

    @handles(Facility, "Registered")
    def registered(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        docs.put(
            f"Facility:{e['originator_id']}",
            {
                "id": e["originator_id"],
                "name": s["name"],
                "site": s["site"],
                "owning_group_id": s.get("owning_group_id"),
                "capacity": s["capacity"],
                "rooms": s.get("rooms", 1),  # version-1 events: one room each
                "features": s["features"],
                "cost_per_day": s["cost_per_day"],
                "running_cost_per_year": 0.0,
                "opened_on": s.get("opened_on"),
                "decommissioned_on": None,
                "usage": [],
                "sessions": [],
                "registered_by": s.get("actor"),
                "version": e["version"],
            },
        )

    def _doc(self, docs: Docs, e: Event) -> Doc:
        doc = docs.touch(f"Facility:{e['originator_id']}")
        doc["version"] = e["version"]
        return doc

    @handles(Facility, "RunningCostSet")
    def running_cost_set(self, docs: Docs, e: Event) -> None:
        self._doc(docs, e)["running_cost_per_year"] = e["state"]["per_year"]

    @handles(Facility, "DetailsChanged")
    def details_changed(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        self._doc(docs, e).update(
            capacity=s["capacity"],
            rooms=s["rooms"],
            features=s["features"],
            cost_per_day=s["cost_per_day"],
        )

    @handles(Facility, "ScheduleSubmitted")
    def schedule_submitted(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        doc = self._doc(docs, e)
        first, last = s["period_start"], s["period_end"]
        kept = [u for u in doc["usage"] if not overlaps(u["starts_on"], u["ends_on"], first, last)]
        doc["usage"] = sorted(kept + s["entries"], key=lambda u: (u["starts_on"], u["ends_on"]))

    @handles(Facility, "SessionsConfirmed")
    def sessions_confirmed(self, docs: Docs, e: Event) -> None:
        s = e["state"]
        doc = self._doc(docs, e)
        cycle_id = s["cycle_id"]
        kept = [x for x in doc["sessions"] if x["cycle_id"] != cycle_id]
        doc["sessions"] = kept + [{**x, "cycle_id": cycle_id} for x in s["sessions"]]

    @handles(Facility, "Decommissioned")
    def decommissioned(self, docs: Docs, e: Event) -> None:
        self._doc(docs, e)["decommissioned_on"] = e["state"]["on"]

    def render(self, key: str, doc: Doc, docs: Docs) -> Rows:
        facility_id = doc["id"]
        status = "decommissioned" if doc["decommissioned_on"] else "in service"
        register = {
            k: doc[k]
            for k in (
                "id",
                "name",
                "site",
                "owning_group_id",
                "capacity",
                "rooms",
                "features",
                "cost_per_day",
                "opened_on",
                "decommissioned_on",
                "registered_by",
                "version",
            )
        }
        register.update(
            running_cost_per_year=doc.get("running_cost_per_year", 0.0),
            status=status,
            bookings=sum(u["kind"] == "booking" for u in doc["usage"]),
            confirmed_sessions=len(doc["sessions"]),
        )
        entries = [
            {
                "starts_on": u["starts_on"],
                "ends_on": u["ends_on"],
                "kind": u["kind"],
                "status": "submitted",
                "purpose": u["purpose"],
                "rooms": u["rooms"],
                "session_id": None,
                "cycle_id": None,
                "course_code": None,
            }
            for u in doc["usage"]
        ] + [
            {
                "starts_on": x["starts_on"],
                "ends_on": x["ends_on"],
                "kind": "session",
                "status": "confirmed",
                "purpose": f"{x['course_code']} session {x['session_id']}",
                "rooms": x["rooms"],
                "session_id": x["session_id"],
                "cycle_id": x["cycle_id"],
                "course_code": x["course_code"],
            }
            for x in doc["sessions"]
        ]
        entries.sort(key=lambda x: (x["starts_on"], x["ends_on"], x["kind"], x["purpose"]))
        calendar = [
            {"facility_id": facility_id, "entry": n, **entry} for n, entry in enumerate(entries)
        ]
        return {
            "facility_register": [register],
            "facility_calendar": calendar,
            "facility_utilisation": _utilisation(facility_id, doc["rooms"], entries),
        }


def _utilisation(
    facility_id: str, rooms: int, entries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per week (Monday to Friday): room-hours available (8 a day, less closures), booked by
    other usage, taken by confirmed sessions; utilisation = used / available."""
    per_day: dict[date, dict[str, int]] = defaultdict(
        lambda: {"closed": 0, "booked": 0, "session": 0}
    )
    for entry in entries:
        what = {"closure": "closed", "booking": "booked", "session": "session"}[entry["kind"]]
        for day in working_days(entry["starts_on"], entry["ends_on"]):
            per_day[day][what] += entry["rooms"]
    weeks: dict[date, dict[str, float]] = defaultdict(
        lambda: {"closed": 0.0, "booked": 0.0, "session": 0.0}
    )
    for day, taken in per_day.items():
        week = weeks[monday_of(day)]
        closed = min(taken["closed"], rooms)
        week["closed"] += closed * HOURS_PER_DAY
        week["booked"] += min(taken["booked"], rooms - closed) * HOURS_PER_DAY
        week["session"] += taken["session"] * HOURS_PER_DAY
    rows = []
    for monday in sorted(weeks):
        week = weeks[monday]
        available = rooms * 5 * HOURS_PER_DAY - week["closed"]
        used = week["booked"] + week["session"]
        rows.append(
            {
                "facility_id": facility_id,
                "week": monday.isoformat(),
                "rooms": rooms,
                "available_hours": available,
                "closed_hours": week["closed"],
                "booked_hours": week["booked"],
                "session_hours": week["session"],
                "used_hours": used,
                "utilisation": round(used / available, 4) if available else 0.0,
            }
        )
    return rows
