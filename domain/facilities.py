"""A training venue (a room block at Hendon, a borough training room, a range, a gym, a driving
track) and its schedule of usage."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain import values as v
from domain.calendar import days_between, overlaps
from domain.dated import DatedAggregate, effective_day
from domain.errors import InvalidValue, TransitionRefused

NAMESPACE = UUID("0c8f5f0e-7d3c-4b65-8f3e-3f7a1f6f2b21")


class Facility(DatedAggregate):
    """A venue with `rooms` rooms of `capacity` seats each. Its name is unique at its site."""

    kind = "facility"

    class Registered(DatedAggregate.Created):
        """Version 2 added `rooms` (v1 venues were one room each) and `opened_on`."""

        class_version = 2
        name: str
        site: str
        owning_group_id: UUID | None
        capacity: int
        rooms: int
        features: list[str]
        cost_per_day: float
        opened_on: str | None
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["rooms"] = 1
            state["opened_on"] = None

    @staticmethod
    def create_id(name: str, site: str, **_: object) -> UUID:
        return uuid5(NAMESPACE, f"facility:{site.strip().lower()}:{name.strip().lower()}")

    @classmethod
    def register(
        cls,
        *,
        name: str,
        site: str,
        owning_group_id: UUID | None,
        capacity: int,
        rooms: int = 1,
        features: list[str],
        cost_per_day: float,
        opened_on: object = None,
        actor: str,
        effective_on: object = None,
    ) -> Facility:
        return cls(
            name=v.text("name", name, max_length=200),
            site=v.text("site", site, max_length=200),
            owning_group_id=owning_group_id,
            capacity=v.whole_number("capacity", capacity, minimum=1),
            rooms=v.whole_number("rooms", rooms, minimum=1),
            features=v.features("features", features),
            cost_per_day=v.amount("cost_per_day", cost_per_day),
            opened_on=None if opened_on is None else v.iso_date("opened_on", opened_on),
            actor=v.actor(actor),
            effective_on=effective_day(effective_on),
        )

    @event(Registered)
    def __init__(
        self,
        name: str,
        site: str,
        owning_group_id: UUID | None,
        capacity: int,
        rooms: int,
        features: list[str],
        cost_per_day: float,
        opened_on: str | None,
        actor: str,
        effective_on: str = "",
    ) -> None:
        self.name = name
        self.site = site
        self.owning_group_id = owning_group_id
        self.capacity = capacity
        self.rooms = rooms
        self.features = features
        self.cost_per_day = cost_per_day
        self.opened_on = opened_on
        self.decommissioned_on: str | None = None
        self.running_cost_per_year = 0.0  # fixed: premises, whether its rooms are used or not
        self.usage: list[dict[str, Any]] = []
        self.sessions: list[dict[str, Any]] = []

    # --- guards -----------------------------------------------------------------------------

    def check_in_service(self, action: str) -> None:
        if self.decommissioned_on is not None:
            raise TransitionRefused(
                f"cannot {action} {self.name} at {self.site}: "
                f"it was decommissioned on {self.decommissioned_on}"
            )

    def check_within_life(self, field: str, first: str, last: str) -> None:
        if self.opened_on and first < self.opened_on:
            raise InvalidValue(
                field, f"starts {first}, before the facility opened on {self.opened_on}"
            )
        if self.decommissioned_on and last >= self.decommissioned_on:
            raise InvalidValue(
                field, f"ends {last}, after the facility closes on {self.decommissioned_on}"
            )

    def rooms_taken(self, *, excluding_usage_in: tuple[str, str] | None = None) -> Counter[date]:
        """Rooms in use per day, by the schedule of usage and by confirmed training sessions."""
        taken: Counter[date] = Counter()
        for entry in self.usage:
            if excluding_usage_in and _overlaps(entry, *excluding_usage_in):
                continue
            for day in days_between(entry["starts_on"], entry["ends_on"]):
                taken[day] += entry["rooms"]
        for session in self.sessions:
            for day in days_between(session["starts_on"], session["ends_on"]):
                taken[day] += session["rooms"]
        return taken

    def check_rooms_free(
        self, field: str, entries: list[dict[str, Any]], taken: Counter[date]
    ) -> None:
        taken = taken.copy()
        for index, entry in enumerate(entries):
            for day in days_between(entry["starts_on"], entry["ends_on"]):
                taken[day] += entry["rooms"]
                if taken[day] > self.rooms:
                    raise InvalidValue(
                        f"{field}[{index}]",
                        f"overlaps other usage on {day.isoformat()}: {taken[day]} rooms "
                        f"would be in use and {self.name} has {self.rooms}",
                    )

    # --- commands ---------------------------------------------------------------------------

    def change_details(
        self,
        *,
        capacity: int | None = None,
        rooms: int | None = None,
        features: list[str] | None = None,
        cost_per_day: float | None = None,
        reason: str,
        actor: str,
    ) -> None:
        self.check_in_service("change")
        new_rooms = self.rooms if rooms is None else v.whole_number("rooms", rooms, minimum=1)
        busiest = max(self.rooms_taken().values(), default=0)
        if new_rooms < busiest:
            raise InvalidValue("rooms", f"must be at least {busiest}, the rooms already in use")
        self._details_changed(
            capacity=self.capacity
            if capacity is None
            else v.whole_number("capacity", capacity, minimum=1),
            rooms=new_rooms,
            features=self.features if features is None else v.features("features", features),
            cost_per_day=self.cost_per_day
            if cost_per_day is None
            else v.amount("cost_per_day", cost_per_day),
            reason=v.reason(reason),
            actor=v.actor(actor),
        )

    @event("DetailsChanged")
    def _details_changed(
        self,
        capacity: int,
        rooms: int,
        features: list[str],
        cost_per_day: float,
        reason: str,
        actor: str,
    ) -> None:
        self.capacity = capacity
        self.rooms = rooms
        self.features = features
        self.cost_per_day = cost_per_day

    def submit_schedule(
        self, *, period_start: object, period_end: object, entries: list[dict[str, Any]], actor: str
    ) -> None:
        """A planner submits the venue's existing usage (bookings and closures) for a period.
        It replaces what an earlier submission said about that period."""
        self.check_in_service("submit a schedule for")
        first, last = v.date_range("period_start", period_start, "period_end", period_end)
        self.check_within_life(
            "period_end" if self.decommissioned_on else "period_start", first, last
        )
        for earlier in self.usage:
            if _overlaps(earlier, first, last) and not (
                first <= earlier["starts_on"] and earlier["ends_on"] <= last
            ):
                raise InvalidValue(
                    "period_start",
                    f"the period must cover the whole of the earlier entry "
                    f"'{earlier['purpose']}' ({earlier['starts_on']} to {earlier['ends_on']}), "
                    "which it would otherwise cut in two",
                )
        cleaned = [
            self._clean_entry(index, entry, first, last) for index, entry in enumerate(entries)
        ]
        cleaned.sort(key=lambda entry: (entry["starts_on"], entry["ends_on"]))
        self.check_rooms_free(
            "entries", cleaned, self.rooms_taken(excluding_usage_in=(first, last))
        )
        self._schedule_submitted(
            period_start=first, period_end=last, entries=cleaned, actor=v.actor(actor)
        )

    def _clean_entry(
        self, index: int, entry: dict[str, Any], first: str, last: str
    ) -> dict[str, Any]:
        field = f"entries[{index}]"
        if not isinstance(entry, dict):
            raise InvalidValue(field, "must be an object with starts_on, ends_on, kind, purpose")
        starts_on, ends_on = v.date_range(
            f"{field}.starts_on", entry.get("starts_on"), f"{field}.ends_on", entry.get("ends_on")
        )
        if starts_on < first or ends_on > last:
            raise InvalidValue(field, f"must lie within the period {first} to {last}")
        self.check_within_life(field, starts_on, ends_on)
        kind = v.enum_value(f"{field}.kind", v.UsageKind, entry.get("kind", "booking"))
        rooms = self.rooms if kind == v.UsageKind.CLOSURE.value else entry.get("rooms", 1)
        rooms = v.whole_number(f"{field}.rooms", rooms, minimum=1)
        if rooms > self.rooms:
            raise InvalidValue(
                f"{field}.rooms", f"must be at most {self.rooms}, the rooms there are"
            )
        return {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "kind": kind,
            "purpose": v.text(f"{field}.purpose", entry.get("purpose"), max_length=300),
            "rooms": rooms,
        }

    @event("ScheduleSubmitted")
    def _schedule_submitted(
        self, period_start: str, period_end: str, entries: list[dict[str, Any]], actor: str
    ) -> None:
        kept = [entry for entry in self.usage if not _overlaps(entry, period_start, period_end)]
        self.usage = sorted(
            kept + entries, key=lambda entry: (entry["starts_on"], entry["ends_on"])
        )

    def confirm_sessions(
        self, *, cycle_id: UUID, sessions: list[dict[str, Any]], actor: str
    ) -> None:
        """Publishing a prospectus confirms its sessions here. This is the double-booking check
        that may never fail: a confirmed session never shares a room-day with other usage."""
        self.check_in_service("confirm sessions at")
        cleaned = []
        for index, session in enumerate(sessions):
            field = f"sessions[{index}]"
            starts_on, ends_on = v.date_range(
                f"{field}.starts_on", session["starts_on"], f"{field}.ends_on", session["ends_on"]
            )
            self.check_within_life(field, starts_on, ends_on)
            cleaned.append(
                {
                    "session_id": str(session["session_id"]),
                    "course_code": str(session["course_code"]),
                    "starts_on": starts_on,
                    "ends_on": ends_on,
                    "rooms": 1,
                }
            )
        current = [entry for entry in self.sessions if entry.get("cycle_id") != str(cycle_id)]
        taken: Counter[date] = Counter()
        for entry in self.usage + current:
            for day in days_between(entry["starts_on"], entry["ends_on"]):
                taken[day] += entry["rooms"]
        self.check_rooms_free("sessions", cleaned, taken)
        self._sessions_confirmed(cycle_id=cycle_id, sessions=cleaned, actor=v.actor(actor))

    @event("SessionsConfirmed")
    def _sessions_confirmed(
        self, cycle_id: UUID, sessions: list[dict[str, Any]], actor: str
    ) -> None:
        kept = [entry for entry in self.sessions if entry["cycle_id"] != str(cycle_id)]
        self.sessions = kept + [{**session, "cycle_id": str(cycle_id)} for session in sessions]

    def set_running_cost(self, *, per_year: float, reason: str, actor: str) -> None:
        """The venue's fixed running cost a year (premises, rates, maintenance), paid whether
        its rooms are used or not: what closing it would save."""
        self.check_in_service("set the running cost of")
        self._running_cost_set(
            per_year=v.amount("per_year", per_year), reason=v.reason(reason), actor=v.actor(actor)
        )

    @event("RunningCostSet")
    def _running_cost_set(self, per_year: float, reason: str, actor: str) -> None:
        self.running_cost_per_year = per_year

    def decommission(self, *, on: object, reason: str, actor: str) -> None:
        self.check_in_service("decommission")
        day = v.iso_date("on", on)
        for entry in self.usage + self.sessions:
            if entry["ends_on"] >= day:
                what = entry.get("purpose") or f"session {entry.get('session_id')}"
                raise TransitionRefused(
                    f"cannot decommission {self.name} on {day}: '{what}' "
                    f"is booked until {entry['ends_on']}"
                )
        self._decommissioned(on=day, reason=v.reason(reason), actor=v.actor(actor))

    @event("Decommissioned")
    def _decommissioned(self, on: str, reason: str, actor: str) -> None:
        self.decommissioned_on = on


def _overlaps(entry: dict[str, Any], first: str, last: str) -> bool:
    """Whether a usage entry shares a day with [first, last]."""
    return overlaps(entry["starts_on"], entry["ends_on"], first, last)
