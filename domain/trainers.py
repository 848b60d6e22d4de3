"""A pool of trainers of one discipline (officer safety, first aid, firearms, ...), shareable
across business groups: how many trainers it has, the courses they deliver, and the days they
are away on leave, sick or otherwise (Recommendation 5: trainers during sickness and leave;
Recommendation 6: efficiency in the use of trainers). A session of one of its courses needs its
trainers from the pool on each of its days; the optimiser keeps the trainers at work on a day
within those the pool has that day (its strength less those away)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain import values as v
from domain.dated import DatedAggregate, effective_day
from domain.errors import InvalidValue

NAMESPACE = UUID("0c6d6b8e-4f1a-4d7e-9a53-7d3f2b9c1e44")


class AbsenceKind(StrEnum):
    LEAVE = "leave"
    SICKNESS = "sickness"
    TRAINING = "training"  # the trainers' own development
    OTHER = "other"


class TrainerPool(DatedAggregate):
    """One pool of trainers of one discipline. Its name is its natural key."""

    kind = "trainer pool"

    @staticmethod
    def create_id(name: str, **_: object) -> UUID:
        return uuid5(NAMESPACE, f"trainer-pool:{name.strip().lower()}")

    @classmethod
    def register(
        cls,
        *,
        name: str,
        discipline: str,
        trainers: int,
        courses: list[str],
        base: str = "",
        owning_group_id: UUID | None = None,
        actor: str,
        effective_on: object = None,
    ) -> TrainerPool:
        return cls(
            name=v.text("name", name, max_length=200),
            discipline=v.text("discipline", discipline, max_length=80).lower(),
            trainers=v.whole_number("trainers", trainers),
            courses=course_codes("courses", courses),
            base=base.strip() if isinstance(base, str) else "",
            owning_group_id=owning_group_id,
            actor=v.actor(actor),
            effective_on=effective_day(effective_on),
        )

    @event("Registered")
    def __init__(
        self,
        name: str,
        discipline: str,
        trainers: int,
        courses: list[str],
        base: str,
        owning_group_id: UUID | None,
        actor: str,
        effective_on: str = "",
    ) -> None:
        self.name = name
        self.discipline = discipline
        self.trainers = trainers
        self.courses = courses
        self.base = base
        self.owning_group_id = owning_group_id
        self.absences: list[dict[str, Any]] = []

    def away_on(self, day: str) -> int:
        """Trainers of the pool away on that day (an ISO date)."""
        return sum(a["trainers"] for a in self.absences if a["starts_on"] <= day <= a["ends_on"])

    def change_strength(self, *, trainers: int, reason: str, actor: str) -> None:
        """Trainers joined or left the pool."""
        count = v.whole_number("trainers", trainers)
        busiest = max((self._most_away(a["starts_on"], a["ends_on"]) for a in self.absences),
                      default=0)  # fmt: skip
        if count < busiest:
            raise InvalidValue(
                "trainers", f"must be at least {busiest}, the most recorded away on one day"
            )
        self._strength_changed(trainers=count, reason=v.reason(reason), actor=v.actor(actor))

    @event("StrengthChanged")
    def _strength_changed(self, trainers: int, reason: str, actor: str) -> None:
        self.trainers = trainers

    def change_courses(self, *, courses: list[str], reason: str, actor: str) -> None:
        """The courses the pool's trainers deliver."""
        self._courses_changed(
            courses=course_codes("courses", courses), reason=v.reason(reason), actor=v.actor(actor)
        )

    @event("CoursesChanged")
    def _courses_changed(self, courses: list[str], reason: str, actor: str) -> None:
        self.courses = courses

    def record_absence(
        self,
        *,
        starts_on: object,
        ends_on: object,
        trainers: int,
        kind: str,
        reason: str,
        actor: str,
    ) -> None:
        """Trainers of the pool away from `starts_on` to `ends_on` (leave, sickness, ...)."""
        first, last = v.date_range("starts_on", starts_on, "ends_on", ends_on)
        count = v.whole_number("trainers", trainers, minimum=1)
        if (date.fromisoformat(last) - date.fromisoformat(first)).days > 366:
            raise InvalidValue("ends_on", "an absence lasts at most a year")
        most = self._most_away(first, last)
        if most + count > self.trainers:
            raise InvalidValue(
                "trainers",
                f"must be at most {self.trainers - most}: the pool has {self.trainers} trainers "
                f"and {most} already away on a day of that period",
            )
        self._absence_recorded(
            absence={
                "absence_id": len(self.absences) + 1,
                "starts_on": first,
                "ends_on": last,
                "trainers": count,
                "kind": v.enum_value("kind", AbsenceKind, kind),
            },
            reason=v.reason(reason),
            actor=v.actor(actor),
        )

    @event("AbsenceRecorded")
    def _absence_recorded(self, absence: dict[str, Any], reason: str, actor: str) -> None:
        self.absences.append(absence)

    def _most_away(self, first: str, last: str) -> int:
        day, end, most = date.fromisoformat(first), date.fromisoformat(last), 0
        while day <= end:
            most = max(most, self.away_on(day.isoformat()))
            day += timedelta(days=1)
        return most


def course_codes(field: str, values: object) -> list[str]:
    """Course codes as a sorted list of distinct upper-case codes (at least one)."""
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise InvalidValue(field, "must be a list of course codes")
    codes = sorted({v.text(field, value, max_length=20).upper() for value in values})
    if not codes:
        raise InvalidValue(field, "must name at least one course code")
    return codes
