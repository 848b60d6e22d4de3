"""A training need, through the Systems Approach: identified, analysed, prioritised by its
board, endorsed or rejected by the TMB, scheduled, delivered, evaluated; withdrawn at any point
before delivery."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain import values as v
from domain.dated import DatedAggregate, effective_day
from domain.errors import InvalidValue, TransitionRefused


class NeedStatus(StrEnum):
    IDENTIFIED = "identified"
    ANALYSED = "analysed"
    PRIORITISED = "prioritised"
    ENDORSED = "endorsed"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    DELIVERED = "delivered"
    EVALUATED = "evaluated"
    WITHDRAWN = "withdrawn"


S = NeedStatus


class TrainingNeed(DatedAggregate):
    """A need raised by one business group; its analysis says who must learn what, how."""

    kind = "training need"

    @classmethod
    def identify(
        cls,
        *,
        group_id: UUID,
        title: str,
        trigger: str,
        description: str = "",
        actor: str,
        effective_on: object = None,
    ) -> TrainingNeed:
        return cls(
            group_id=group_id,
            title=v.text("title", title, max_length=200),
            trigger=v.enum_value("trigger", v.Trigger, trigger),
            description=v.optional_text("description", description),
            actor=v.actor(actor),
            effective_on=effective_day(effective_on),
        )

    @event("Identified")
    def __init__(
        self,
        group_id: UUID,
        title: str,
        trigger: str,
        description: str,
        actor: str,
        effective_on: str = "",
    ) -> None:
        self.group_id = group_id
        self.title = title
        self.trigger = trigger
        self.description = description
        self.status = S.IDENTIFIED
        self.analysis: dict[str, Any] | None = None
        self.priority_level: str | None = None
        self.priority_score: int | None = None
        self.decision_reason: str | None = None
        self.scheduled_in: list[dict[str, Any]] = []
        self.attendance: int | None = None
        self.actual_cost: float | None = None
        self.evaluation: dict[str, Any] | None = None

    # --- guards -----------------------------------------------------------------------------

    def check_status(self, action: str, *allowed: NeedStatus) -> None:
        if self.status not in allowed:
            wanted = " or ".join(status.value for status in allowed)
            raise TransitionRefused(
                f"cannot {action} a training need that is {self.status.value}: it must be {wanted}"
            )

    @property
    def is_mandatory(self) -> bool:
        return bool(self.analysis and self.analysis["mandatory_basis"])

    # --- performance needs analysis ---------------------------------------------------------

    def record_analysis(
        self,
        *,
        gap_statement: str,
        audience: str,
        learners: int,
        course_code: str,
        delivery_mode: str,
        days_per_learner: float,
        class_size_min: int,
        class_size_max: int,
        trainers_per_session: int,
        required_features: list[str],
        mandatory_basis: str | None,
        risk_if_untrained: str,
        window_start: object,
        window_end: object,
        actor: str,
    ) -> None:
        """LSPU records (or refines, until the board prioritises) the performance needs
        analysis."""
        self.check_status("record an analysis for", S.IDENTIFIED, S.ANALYSED)
        minimum = v.whole_number("class_size_min", class_size_min, minimum=1)
        maximum = v.whole_number("class_size_max", class_size_max, minimum=1)
        if maximum < minimum:
            raise InvalidValue("class_size_max", f"must be at least class_size_min ({minimum})")
        days = v.amount("days_per_learner", days_per_learner)
        if days <= 0 or days > 200 or (days * 2) != int(days * 2):
            raise InvalidValue("days_per_learner", "must be a number of half days, from 0.5 to 200")
        start, end = v.date_range("window_start", window_start, "window_end", window_end)
        basis = v.optional_text("mandatory_basis", mandatory_basis)
        self._analysis_recorded(
            analysis=dict(
                gap_statement=v.text("gap_statement", gap_statement),
                audience=v.text("audience", audience, max_length=500),
                learners=v.whole_number("learners", learners, minimum=1),
                course_code=v.text("course_code", course_code, max_length=20).upper(),
                delivery_mode=v.enum_value("delivery_mode", v.DeliveryMode, delivery_mode),
                days_per_learner=days,
                class_size_min=minimum,
                class_size_max=maximum,
                trainers_per_session=v.whole_number(
                    "trainers_per_session", trainers_per_session, minimum=0
                ),
                required_features=v.features("required_features", required_features),
                mandatory_basis=basis or None,
                risk_if_untrained=v.enum_value("risk_if_untrained", v.Risk, risk_if_untrained),
                window_start=start,
                window_end=end,
            ),
            actor=v.actor(actor),
        )

    @event("AnalysisRecorded")
    def _analysis_recorded(self, analysis: dict[str, Any], actor: str) -> None:
        self.analysis = analysis
        self.status = S.ANALYSED

    # --- board and TMB decisions ------------------------------------------------------------

    def prioritise(self, *, level: str, score: int, reason: str, actor: str) -> None:
        """The group's board places the need on the four-level scale, with a score to rank it
        inside its level."""
        if self.status is S.IDENTIFIED:
            raise TransitionRefused(
                "cannot prioritise a training need before its performance needs analysis "
                "is recorded"
            )
        self.check_status("prioritise", S.ANALYSED, S.PRIORITISED)
        level = v.enum_value("level", v.PriorityLevel, level)
        score = v.whole_number("score", score)
        if score > 100:
            raise InvalidValue("score", "must be at most 100")
        if level == v.PriorityLevel.MANDATED.value and not self.is_mandatory:
            raise InvalidValue(
                "level", "Mandated needs a mandatory basis (a legal or policy duty) in the analysis"
            )
        self._prioritised(level=level, score=score, reason=v.reason(reason), actor=v.actor(actor))

    @event("Prioritised")
    def _prioritised(self, level: str, score: int, reason: str, actor: str) -> None:
        self.priority_level = level
        self.priority_score = score
        self.decision_reason = reason
        self.status = S.PRIORITISED

    def endorse(self, *, reason: str, actor: str) -> None:
        """The Training Management Board endorses a prioritised need for the plan."""
        self.check_status("endorse", S.PRIORITISED)
        self._endorsed(reason=v.reason(reason), actor=v.actor(actor))

    @event("Endorsed")
    def _endorsed(self, reason: str, actor: str) -> None:
        self.decision_reason = reason
        self.status = S.ENDORSED

    def reject(self, *, reason: str, actor: str) -> None:
        self.check_status("reject", S.PRIORITISED)
        self._rejected(reason=v.reason(reason), actor=v.actor(actor))

    @event("Rejected")
    def _rejected(self, reason: str, actor: str) -> None:
        self.decision_reason = reason
        self.status = S.REJECTED

    def withdraw(self, *, reason: str, actor: str) -> None:
        self.check_status(
            "withdraw",
            S.IDENTIFIED,
            S.ANALYSED,
            S.PRIORITISED,
            S.ENDORSED,
            S.SCHEDULED,
        )
        self._withdrawn(reason=v.reason(reason), actor=v.actor(actor))

    @event("Withdrawn")
    def _withdrawn(self, reason: str, actor: str) -> None:
        self.decision_reason = reason
        self.status = S.WITHDRAWN

    # --- delivery ---------------------------------------------------------------------------

    def schedule(self, *, cycle_id: UUID, sessions: list[str], learners: int, actor: str) -> None:
        """A published prospectus places (some of) the need's learners in sessions."""
        self.check_status("schedule", S.ENDORSED, S.SCHEDULED)
        if not sessions:
            raise InvalidValue("sessions", "must name at least one session")
        self._scheduled(
            cycle_id=cycle_id,
            sessions=[str(session) for session in sessions],
            learners=v.whole_number("learners", learners, minimum=1),
            actor=v.actor(actor),
        )

    @event("Scheduled")
    def _scheduled(self, cycle_id: UUID, sessions: list[str], learners: int, actor: str) -> None:
        self.scheduled_in = [
            entry for entry in self.scheduled_in if entry["cycle_id"] != str(cycle_id)
        ]
        self.scheduled_in.append(
            {"cycle_id": str(cycle_id), "sessions": sessions, "learners": learners}
        )
        self.status = S.SCHEDULED

    def record_delivery(self, *, attendance: int, actual_cost: float, actor: str) -> None:
        self.check_status("record the delivery of", S.SCHEDULED)
        self._delivered(
            attendance=v.whole_number("attendance", attendance),
            actual_cost=v.amount("actual_cost", actual_cost),
            actor=v.actor(actor),
        )

    @event("Delivered")
    def _delivered(self, attendance: int, actual_cost: float, actor: str) -> None:
        self.attendance = attendance
        self.actual_cost = actual_cost
        self.status = S.DELIVERED

    def evaluate(self, *, level: int, score: int, notes: str, actor: str) -> None:
        """Evaluation against Kirkpatrick's four levels (1 reaction .. 4 results)."""
        self.check_status("evaluate", S.DELIVERED, S.EVALUATED)
        level = v.whole_number("level", level, minimum=1)
        if level > 4:
            raise InvalidValue("level", "must be a Kirkpatrick level from 1 to 4")
        score = v.whole_number("score", score)
        if score > 100:
            raise InvalidValue("score", "must be at most 100")
        self._evaluated(
            level=level, score=score, notes=v.optional_text("notes", notes), actor=v.actor(actor)
        )

    @event("Evaluated")
    def _evaluated(self, level: int, score: int, notes: str, actor: str) -> None:
        self.evaluation = {"level": level, "score": score, "notes": notes}
        self.status = S.EVALUATED
