"""A proposed Training Delivery Centre (Recommendation 5: e.g. an Officer Safety Training centre
at Orpington), costed by a feasibility study and approved or rejected by the TMB."""

from __future__ import annotations

from enum import StrEnum

from eventsourcing.domain import event

from domain import values as v
from domain.dated import DatedAggregate, effective_day
from domain.errors import TransitionRefused


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    COSTED = "costed"
    APPROVED = "approved"
    REJECTED = "rejected"


class DeliveryCentreProposal(DatedAggregate):
    kind = "delivery centre proposal"

    @classmethod
    def propose(
        cls,
        *,
        name: str,
        site: str,
        rooms: int,
        capacity: int,
        features: list[str],
        setup_cost: float,
        running_cost_per_day: float,
        earliest_opening: object,
        actor: str,
        effective_on: object = None,
    ) -> DeliveryCentreProposal:
        return cls(
            name=v.text("name", name, max_length=200),
            site=v.text("site", site, max_length=200),
            rooms=v.whole_number("rooms", rooms, minimum=1),
            capacity=v.whole_number("capacity", capacity, minimum=1),
            features=v.features("features", features),
            setup_cost=v.amount("setup_cost", setup_cost),
            running_cost_per_day=v.amount("running_cost_per_day", running_cost_per_day),
            earliest_opening=v.iso_date("earliest_opening", earliest_opening),
            actor=v.actor(actor),
            effective_on=effective_day(effective_on),
        )

    @event("Proposed")
    def __init__(
        self,
        name: str,
        site: str,
        rooms: int,
        capacity: int,
        features: list[str],
        setup_cost: float,
        running_cost_per_day: float,
        earliest_opening: str,
        actor: str,
        effective_on: str = "",
    ) -> None:
        self.name = name
        self.site = site
        self.rooms = rooms
        self.capacity = capacity
        self.features = features
        self.setup_cost = setup_cost
        self.running_cost_per_day = running_cost_per_day
        self.earliest_opening = earliest_opening
        self.status = ProposalStatus.PROPOSED
        self.decision_reason: str | None = None

    def check_undecided(self, action: str) -> None:
        if self.status in (ProposalStatus.APPROVED, ProposalStatus.REJECTED):
            raise TransitionRefused(
                f"cannot {action} the {self.name} proposal: it was already {self.status.value}"
            )

    def cost(
        self, *, setup_cost: float, running_cost_per_day: float, notes: str, actor: str
    ) -> None:
        """The feasibility study's costing (Recommendation 5, key action 13)."""
        self.check_undecided("cost")
        self._costed(
            setup_cost=v.amount("setup_cost", setup_cost),
            running_cost_per_day=v.amount("running_cost_per_day", running_cost_per_day),
            notes=v.text("notes", notes),
            actor=v.actor(actor),
        )

    @event("Costed")
    def _costed(
        self, setup_cost: float, running_cost_per_day: float, notes: str, actor: str
    ) -> None:
        self.setup_cost = setup_cost
        self.running_cost_per_day = running_cost_per_day
        self.status = ProposalStatus.COSTED

    def approve(self, *, reason: str, actor: str) -> None:
        self.check_undecided("approve")
        if self.status is not ProposalStatus.COSTED:
            raise TransitionRefused(
                f"cannot approve the {self.name} proposal before its feasibility study costs it"
            )
        self._approved(reason=v.reason(reason), actor=v.actor(actor))

    @event("Approved")
    def _approved(self, reason: str, actor: str) -> None:
        self.decision_reason = reason
        self.status = ProposalStatus.APPROVED

    def reject(self, *, reason: str, actor: str) -> None:
        self.check_undecided("reject")
        self._rejected(reason=v.reason(reason), actor=v.actor(actor))

    @event("Rejected")
    def _rejected(self, reason: str, actor: str) -> None:
        self.decision_reason = reason
        self.status = ProposalStatus.REJECTED
