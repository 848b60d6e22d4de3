"""A business group and its training board (Territorial Policing, Specialist Operations, ...)."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain import values as v
from domain.dated import DatedAggregate, effective_day
from domain.errors import InvalidValue

NAMESPACE = UUID("6f1d6c5e-2a49-4f0e-9b0a-1c3b8e0d2a10")
DEFAULT_AWAY_PERCENT = 5.0  # operational capability: of a group's people, away in any week


class BusinessGroup(DatedAggregate):
    """One business group with one training board. Its code is its natural key."""

    kind = "business group"

    @staticmethod
    def create_id(code: str, **_: object) -> UUID:
        return uuid5(NAMESPACE, f"business-group:{code.strip().upper()}")

    @classmethod
    def register(
        cls,
        *,
        name: str,
        code: str,
        officers: int,
        staff: int,
        actor: str,
        effective_on: object = None,
    ) -> BusinessGroup:
        code = v.text("code", code, max_length=12).upper()
        if not code.replace("-", "").isalnum():
            raise InvalidValue("code", "must be letters, digits and hyphens only")
        return cls(
            name=v.text("name", name, max_length=200),
            code=code,
            officers=v.whole_number("officers", officers),
            staff=v.whole_number("staff", staff),
            actor=v.actor(actor),
            effective_on=effective_day(effective_on),
        )

    @event("Registered")
    def __init__(
        self, name: str, code: str, officers: int, staff: int, actor: str, effective_on: str = ""
    ) -> None:
        self.name = name
        self.code = code
        self.officers = officers
        self.staff = staff
        self.allowance_hours_per_head: float | None = None
        self.board_chair: str | None = None
        self.away_percent: float | None = None  # None: DEFAULT_AWAY_PERCENT

    @property
    def capability_percent(self) -> float:
        """The most of its headcount, in per cent, the board lets be away training in any
        week (operational capability); DEFAULT_AWAY_PERCENT until the board sets it."""
        return DEFAULT_AWAY_PERCENT if self.away_percent is None else self.away_percent

    @property
    def headcount(self) -> int:
        return self.officers + self.staff

    def update_headcount(self, *, officers: int, staff: int, actor: str) -> None:
        self._headcount_updated(
            officers=v.whole_number("officers", officers),
            staff=v.whole_number("staff", staff),
            actor=v.actor(actor),
        )

    @event("HeadcountUpdated")
    def _headcount_updated(self, officers: int, staff: int, actor: str) -> None:
        self.officers = officers
        self.staff = staff

    def set_allowance(self, *, hours_per_head: float, reason: str, actor: str) -> None:
        """The board sets the acceptable training time per head per year, with regard to
        operational capability."""
        hours = v.amount("hours_per_head", hours_per_head)
        if hours > 400:
            raise InvalidValue("hours_per_head", "must be at most 400 hours a year")
        self._allowance_set(hours_per_head=hours, reason=v.reason(reason), actor=v.actor(actor))

    @event("AllowanceSet")
    def _allowance_set(self, hours_per_head: float, reason: str, actor: str) -> None:
        self.allowance_hours_per_head = hours_per_head

    def set_capability_limit(self, *, away_percent: float, reason: str, actor: str) -> None:
        """The board sets the share of its people, in per cent of its headcount, that may be
        away training in any one week (operational capability, 001 s.4)."""
        percent = v.amount("away_percent", away_percent)
        if percent > 100:
            raise InvalidValue("away_percent", "must be a percentage from 0 to 100")
        self._capability_limit_set(
            away_percent=percent, reason=v.reason(reason), actor=v.actor(actor)
        )

    @event("CapabilityLimitSet")
    def _capability_limit_set(self, away_percent: float, reason: str, actor: str) -> None:
        self.away_percent = away_percent

    def assign_board_chair(self, *, chair: str, actor: str) -> None:
        self._board_chair_assigned(
            chair=v.text("chair", chair, max_length=200), actor=v.actor(actor)
        )

    @event("BoardChairAssigned")
    def _board_chair_assigned(self, chair: str, actor: str) -> None:
        self.board_chair = chair
