"""The estate in use: facilities registered, their schedules of usage submitted and revised,
their day rates reviewed, one decommissioned and a new one opened now and then; candidate
delivery centres proposed, costed and decided. The estate also keeps the room-days every venue
has taken: its usage, its confirmed sessions and the tentative sessions of current drafts.

* January-February: every facility submits its schedule of usage for the year (bank-holiday
  closures, recruit intakes at Hendon, borough briefings, range maintenance, other bookings)
  and day rates are reviewed;
* all year: planners revise the coming month's schedule of usage; facilities are
  decommissioned and new ones open; centre proposals are costed and decided."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from bench.force.organisation import FACILITIES_ACTOR, FIRST_CYCLE, LSPU, TMB_CHAIR
from bench.force.timeline import Timeline, cycle_months, month_span
from bench.force.venues import CENTRES, OTHER_BOOKINGS, VenueSpec, bank_holidays
from bench.force.writer import Writer
from domain import BusinessGroup, DeliveryCentreProposal, Facility, PlanningCycle

# A closure blocks its days whatever the rooms: re-submitted, a closure takes the facility's
# rooms at that time, which may be more than when it was first submitted.
BLOCKED = 1_000

RoomDays = Counter[int]  # rooms taken by day (date ordinals)


def span(entry: dict[str, Any]) -> range:
    """The days (ordinals) of a usage entry or a session."""
    return range(
        date.fromisoformat(entry["starts_on"]).toordinal(),
        date.fromisoformat(entry["ends_on"]).toordinal() + 1,
    )


def add_entries(taken: RoomDays, entries: Iterable[dict[str, Any]], first: int, last: int) -> None:
    lo, hi = date.fromordinal(first).isoformat(), date.fromordinal(last).isoformat()
    for entry in entries:
        if entry["ends_on"] < lo or entry["starts_on"] > hi:
            continue
        rooms = BLOCKED if entry.get("kind") == "closure" else entry.get("rooms", 1)
        for day in span(entry):
            taken[day] += rooms


def site_planner(facility: Facility) -> str:
    return "planner." + "".join(c for c in facility.site.lower() if c.isalnum())[:30]


class Estate:
    def __init__(
        self, timeline: Timeline, writer: Writer, groups: dict[str, BusinessGroup]
    ) -> None:
        self.timeline = timeline
        self.rng = timeline.rng
        self.writer = writer
        self.groups = groups
        self.facilities: dict[str, Facility] = {}
        self.venue_spec: dict[str, VenueSpec] = {}
        self.in_service: list[str] = []  # facility ids, in registration order
        self.closing_from: dict[str, int] = {}  # facility id -> first cycle out of service
        self.centres: dict[str, DeliveryCentreProposal] = {}
        self.centre_sessions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.tentative: dict[str, dict[str, RoomDays]] = {}  # cycle id -> venue -> days

    # --- the year's plan for the estate -----------------------------------------------------

    def renew(self, year: int) -> None:
        """Now and then a borough facility closes at the start of the cycle and a new build
        replaces it."""
        rng = self.rng
        if not (year > FIRST_CYCLE and rng.random() < 0.6):
            return
        boroughs = [f for f in self.in_service if self.venue_spec[f].site.endswith("borough")]
        closing = rng.choice(boroughs)
        spec = self.venue_spec[closing]
        self.closing_from[closing] = year
        self.timeline.later(
            self.timeline.jitter(date(year, 4, 2)), self.decommission, closing, year
        )
        new = VenueSpec(
            f"{spec.name} ({year} new build)",
            spec.site,
            spec.rooms + 1,
            spec.capacity,
            spec.features,
            spec.cost_per_day * 1.2,
            spec.owner,
            spec.bookings,
        )
        self.timeline.later(
            self.timeline.jitter(date(year - 1, 11, 10)), self.open_facility, new, year
        )

    def plan_centres(self, year: int) -> None:
        """The centres first proposed for this cycle."""
        for first_year, proposal, approve in CENTRES:
            if first_year == year:
                self.timeline.later(
                    self.timeline.jitter(date(year - 1, 9, 10)),
                    self.propose_centre,
                    proposal,
                    approve,
                    year,
                )

    def plan_facilities(self, year: int) -> None:
        for facility_id in list(self.in_service):
            self.plan_facility(facility_id, year)

    def plan_facility(self, facility_id: str, year: int) -> None:
        """The year's schedule of usage, the day rate's review, monthly revisions."""
        rng, later, jitter, some_day = (
            self.rng,
            self.timeline.later,
            self.timeline.jitter,
            self.timeline.some_day,
        )
        later(
            jitter(some_day(date(year, 1, 5), date(year, 2, 25))),
            self.submit_year,
            facility_id,
            year,
        )
        if rng.random() < 0.6:
            later(
                jitter(some_day(date(year, 2, 1), date(year, 2, 28))),
                self.review_rate,
                facility_id,
            )
        for y, m in cycle_months(year):
            if rng.random() < 0.35:
                before = date(y, m, 1) - timedelta(days=rng.randint(5, 20))
                later(jitter(before), self.revise_month, facility_id, y, m)

    # --- facilities -------------------------------------------------------------------------

    def register_facility(self, spec: VenueSpec, opened_on: date) -> None:
        owner = self.groups[spec.owner].id if spec.owner else None
        facility = Facility.register(
            name=spec.name,
            site=spec.site,
            owning_group_id=owner,
            capacity=spec.capacity,
            rooms=spec.rooms,
            features=list(spec.features),
            cost_per_day=spec.cost_per_day,
            opened_on=opened_on,
            actor=FACILITIES_ACTOR,
        )
        self.writer.room()
        self.writer.emit(facility)
        self.facilities[str(facility.id)] = facility
        self.venue_spec[str(facility.id)] = spec
        self.in_service.append(str(facility.id))

    def open_facility(self, spec: VenueSpec, year: int) -> None:
        self.writer.room()
        self.register_facility(spec, opened_on=date(year, 4, 1))
        self.plan_facility(self.in_service[-1], year)

    def decommission(self, facility_id: str, year: int) -> None:
        self.writer.room()
        facility = self.facilities[facility_id]
        facility.decommission(
            on=date(year, 4, 2),
            actor=FACILITIES_ACTOR,
            reason="Site disposed of under the estate strategy; replaced by a new build",
        )
        self.writer.emit(facility)
        del self.facilities[facility_id]
        self.in_service.remove(facility_id)

    def closing(self, facility_id: str, year: int) -> bool:
        """Out of service from cycle `year`: no schedules, no sessions."""
        return year >= self.closing_from.get(facility_id, 9999)

    def usable(self, facility_id: str, year: int, day: date | None = None) -> bool:
        facility = self.facilities.get(facility_id)
        if facility is None or self.closing(facility_id, year):
            return False
        return not (day and facility.opened_on and day.isoformat() < facility.opened_on)

    def review_rate(self, facility_id: str) -> None:
        facility = self.facilities.get(facility_id)
        if facility is None:
            return
        self.writer.room()
        rooms = facility.rooms + (1 if self.rng.random() < 0.03 else 0)
        facility.change_details(
            cost_per_day=round(facility.cost_per_day * self.rng.uniform(1.0, 1.06), 2),
            rooms=rooms,
            actor=FACILITIES_ACTOR,
            reason="Annual day-rate review"
            + (" and refurbishment" if rooms > facility.rooms else ""),
        )
        self.writer.emit(facility)

    def load(self, facility_id: str, first: int, last: int, *, usage: bool = True) -> RoomDays:
        """Room-days taken at a facility or centre: its usage, every confirmed session and every
        tentative one of a current draft (cautious: a draft session counts even where it is
        also confirmed)."""
        taken: RoomDays = Counter()
        facility = self.facilities.get(facility_id)
        if facility is not None:
            if usage:
                add_entries(taken, facility.usage, first, last)
            add_entries(taken, facility.sessions, first, last)
        else:
            add_entries(taken, self.centre_sessions[facility_id], first, last)
        for venues in self.tentative.values():
            for day, rooms in venues.get(facility_id, {}).items():
                if first <= day <= last:
                    taken[day] += rooms
        return taken

    def note_draft(self, cycle: PlanningCycle) -> None:
        """The rooms a cycle's draft takes, tentatively, until its next draft or its close."""
        venues: dict[str, RoomDays] = defaultdict(Counter)
        for session in cycle.draft:
            for day in span(session):
                venues[session["venue_id"]][day] += 1
        self.tentative[str(cycle.id)] = venues

    # --- schedules of usage -----------------------------------------------------------------

    def usage_entries(
        self,
        facility: Facility,
        spec: VenueSpec,
        first: date,
        last: date,
        taken: RoomDays,
        extra: int,
    ) -> list[dict[str, Any]]:
        """Bookings and closures for a period (whole months), fitted around what is taken."""
        rng = self.rng
        entries: list[dict[str, Any]] = []
        rooms = facility.rooms

        def fits(start: date, end: date, count: int) -> bool:
            return all(
                taken[d] + count <= rooms for d in range(start.toordinal(), end.toordinal() + 1)
            )

        def book(start: date, end: date, purpose: str, count: int, kind: str = "booking") -> None:
            if start < first or end > last or not fits(start, end, count):
                return
            for d in range(start.toordinal(), end.toordinal() + 1):
                taken[d] += BLOCKED if kind == "closure" else count
            entry: dict[str, Any] = {
                "starts_on": start.isoformat(),
                "ends_on": end.isoformat(),
                "kind": kind,
                "purpose": purpose,
            }
            if kind == "booking":
                entry["rooms"] = count
            entries.append(entry)

        for year in range(first.year, last.year + 1):
            for day, name in bank_holidays(year):
                book(day, day, name, rooms, "closure")
        months = [
            (y, m)
            for y in range(first.year, last.year + 1)
            for m in range(1, 13)
            if first <= date(y, m, 1) <= last
        ]
        for y, m in months:
            start, end = month_span(y, m)
            if spec.bookings == "recruits" and (m % 2 == 0 or extra):
                for piece in pieces(start + timedelta(days=rng.randint(0, 6)), end, taken):
                    book(*piece, f"Recruit foundation course intake {y % 100:02d}{m:02d}", 4)
            if spec.bookings == "borough":
                for week in range(0, 5, 2):
                    day = start + timedelta(days=(7 - start.weekday()) % 7 + 7 * week)
                    book(day, day, "Borough briefing and tasking", 1)
            if spec.bookings == "range" and m in (5, 8, 11, 2):
                day = start + timedelta(days=14 + (7 - start.weekday()) % 7)
                book(day, day + timedelta(days=4), "Range maintenance", rooms)
            if m == 8 and rng.random() < 0.3:
                book(
                    start + timedelta(days=7),
                    start + timedelta(days=13),
                    "Annual maintenance shutdown",
                    rooms,
                )
            for _ in range(rng.randint(0, 2) + extra):
                day = start + timedelta(days=rng.randint(0, (end - start).days))
                length = rng.choice((0, 0, 0, 1, 2))
                book(
                    day,
                    min(end, day + timedelta(days=length)),
                    rng.choice(OTHER_BOOKINGS),
                    1 if rooms < 3 else rng.randint(1, 2),
                )
        return entries

    def submit_year(self, facility_id: str, year: int) -> None:
        if not self.usable(facility_id, year, date(year, 4, 1)):
            return
        self.writer.room()
        facility = self.facilities[facility_id]
        first, last = date(year, 4, 1), date(year + 1, 3, 31)
        taken = self.load(facility_id, first.toordinal(), last.toordinal(), usage=False)
        entries = self.usage_entries(facility, self.venue_spec[facility_id], first, last, taken, 0)
        facility.submit_schedule(
            period_start=first, period_end=last, entries=entries, actor=site_planner(facility)
        )
        self.writer.emit(facility)

    def revise_month(self, facility_id: str, year: int, month: int) -> None:
        cycle_year = year if month >= 4 else year - 1
        first, last = month_span(year, month)
        if not self.usable(facility_id, cycle_year, first):
            return
        facility = self.facilities[facility_id]
        if not any(first.isoformat() <= u["starts_on"] <= last.isoformat() for u in facility.usage):
            return  # nothing submitted for that month yet
        self.writer.room()
        taken = self.load(facility_id, first.toordinal(), last.toordinal(), usage=False)
        kept = [
            {**u, "rooms": facility.rooms} if u["kind"] == "closure" else dict(u)
            for u in facility.usage
            if first.isoformat() <= u["starts_on"]
            and u["ends_on"] <= last.isoformat()
            and (u["kind"] == "closure" or self.rng.random() > 0.15)
        ]
        add_entries(taken, kept, first.toordinal(), last.toordinal())
        spec = VenueSpec("", "", 0, 0, (), 0, bookings="generic")  # only other bookings
        extra = self.usage_entries(facility, spec, first, last, taken, 1)
        extra = [e for e in extra if e["kind"] == "booking"]
        facility.submit_schedule(
            period_start=first,
            period_end=last,
            entries=kept + extra,
            actor=site_planner(facility),
        )
        self.writer.emit(facility)

    # --- centres ----------------------------------------------------------------------------

    def propose_centre(self, proposal: dict[str, Any], approve: bool, year: int) -> None:
        self.writer.room()
        centre = DeliveryCentreProposal.propose(
            **proposal, earliest_opening=date(year, 10, 1), actor=LSPU[0]
        )
        self.writer.emit(centre)
        self.centres[str(centre.id)] = centre
        later, jitter = self.timeline.later, self.timeline.jitter
        later(jitter(date(year - 1, 11, 20)), self.cost_centre, str(centre.id))
        later(jitter(date(year - 1, 12, 15)), self.decide_centre, str(centre.id), approve)

    def cost_centre(self, centre_id: str) -> None:
        self.writer.room()
        centre = self.centres[centre_id]
        centre.cost(
            setup_cost=round(centre.setup_cost * self.rng.uniform(1.0, 1.15), -3),
            running_cost_per_day=round(centre.running_cost_per_day * self.rng.uniform(1.0, 1.1)),
            notes="Feasibility study: refit, equipment and staffing costed",
            actor=LSPU[1],
        )
        self.writer.emit(centre)

    def decide_centre(self, centre_id: str, approve: bool) -> None:
        self.writer.room()
        centre = self.centres[centre_id]
        if approve:
            centre.approve(
                reason="Business case for a Training Delivery Centre (Rec. 5)", actor=TMB_CHAIR
            )
        else:
            centre.reject(reason="Not affordable within the capital programme", actor=TMB_CHAIR)
        self.writer.emit(centre)


def pieces(start: date, end: date, taken: RoomDays) -> list[tuple[date, date]]:
    """A long booking cut into runs of free days (it never lies across a closure)."""
    found, piece, day = [], None, start
    while day <= end:
        if taken[day.toordinal()] == 0:
            piece = piece or day
        elif piece:
            found.append((piece, day - timedelta(days=1)))
            piece = None
        day += timedelta(days=1)
    if piece:
        found.append((piece, end))
    return found
