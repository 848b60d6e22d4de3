"""The annual Learning & Development plan: a planning cycle, its optimisation runs, the draft
prospectus and its publication."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain import values as v
from domain.dated import DatedAggregate, effective_day
from domain.errors import InvalidValue, TransitionRefused

NAMESPACE = UUID("a3b0f8d2-51c4-4d1e-a2f7-6e9b4c0d7e33")

RUN_STATUSES = (
    "OPTIMAL",
    "FEASIBLE",
    "INFEASIBLE",
    "UNKNOWN",
    "MODEL_INVALID",
    "CANCELLED",
    "FAILED",
)
VENUE_KINDS = ("facility", "centre", "online")  # online: an e-learning run, in no room


class CycleStatus(StrEnum):
    OPEN = "open"
    PUBLISHED = "published"
    CLOSED = "closed"


def clean_session(field: str, session: object) -> dict[str, Any]:
    """A prospectus session as plain data: a course run at one venue on consecutive dates,
    with the places it gives each business group and each need."""
    if not isinstance(session, dict):
        raise InvalidValue(field, "must be an object")
    starts_on, ends_on = v.date_range(
        f"{field}.starts_on", session.get("starts_on"), f"{field}.ends_on", session.get("ends_on")
    )
    venue_kind = session.get("venue_kind")
    if venue_kind not in VENUE_KINDS:
        raise InvalidValue(f"{field}.venue_kind", "must be facility, centre or online")
    learners = session.get("learners") or {}
    needs = session.get("needs") or {}
    for name, places in (("learners", learners), ("needs", needs)):
        if not isinstance(places, dict) or not all(
            isinstance(n, int) and n >= 0 for n in places.values()
        ):
            raise InvalidValue(f"{field}.{name}", "must map ids to whole numbers of places")
    if sum(learners.values()) == 0:
        raise InvalidValue(f"{field}.learners", "a session must have at least one learner")
    return {
        "session_id": v.text(f"{field}.session_id", session.get("session_id"), max_length=80),
        "course_code": v.text(f"{field}.course_code", session.get("course_code"), max_length=20),
        "venue_kind": venue_kind,
        "venue_id": str(session.get("venue_id")),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "learners": {str(key): value for key, value in learners.items()},
        "needs": {str(key): value for key, value in needs.items()},
        "pinned": bool(session.get("pinned", False)),
    }


class PlanningCycle(DatedAggregate):
    """One year's plan, e.g. 2003/04. Its name is its natural key."""

    kind = "planning cycle"

    @staticmethod
    def create_id(name: str, **_: object) -> UUID:
        return uuid5(NAMESPACE, f"planning-cycle:{name.strip().lower()}")

    @classmethod
    def open(
        cls,
        *,
        name: str,
        starts_on: object,
        ends_on: object,
        budget: float,
        actor: str,
        effective_on: object = None,
    ) -> PlanningCycle:
        first, last = v.date_range("starts_on", starts_on, "ends_on", ends_on)
        return cls(
            name=v.text("name", name, max_length=40),
            starts_on=first,
            ends_on=last,
            budget=v.amount("budget", budget),
            actor=v.actor(actor),
            effective_on=effective_day(effective_on),
        )

    @event("Opened")
    def __init__(
        self,
        name: str,
        starts_on: str,
        ends_on: str,
        budget: float,
        actor: str,
        effective_on: str = "",
    ) -> None:
        self.name = name
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.budget = budget
        self.weights: dict[str, float] = {}
        self.runs: dict[str, dict[str, Any]] = {}
        self.runs_in_progress: dict[str, dict[str, Any]] = {}
        self.draft: list[dict[str, Any]] = []
        self.draft_run_id: str | None = None
        self.published: list[dict[str, Any]] = []
        self.prospectus_edition = 0
        self.status = CycleStatus.OPEN

    # --- guards -----------------------------------------------------------------------------

    def check_not_closed(self, action: str) -> None:
        if self.status is CycleStatus.CLOSED:
            raise TransitionRefused(f"cannot {action}: planning cycle {self.name} is closed")

    def draft_session(self, session_id: str) -> dict[str, Any]:
        for session in self.draft:
            if session["session_id"] == session_id:
                return session
        raise InvalidValue("session_id", f"no session {session_id} in the draft prospectus")

    # --- TMB settings -----------------------------------------------------------------------

    def change_budget(self, *, budget: float, reason: str, actor: str) -> None:
        self.check_not_closed("change the budget")
        self._budget_changed(
            budget=v.amount("budget", budget), reason=v.reason(reason), actor=v.actor(actor)
        )

    @event("BudgetChanged")
    def _budget_changed(self, budget: float, reason: str, actor: str) -> None:
        self.budget = budget

    def set_weights(self, *, weights: dict[str, float], reason: str, actor: str) -> None:
        """The TMB's strategic weights, e.g. how much an Essential learner counts against a
        Desirable one."""
        self.check_not_closed("set weights")
        if not isinstance(weights, dict) or not weights:
            raise InvalidValue("weights", "must name at least one weight")
        cleaned = {
            v.text("weights", key, max_length=40): v.amount(f"weights.{key}", value)
            for key, value in weights.items()
        }
        self._weights_set(weights=cleaned, reason=v.reason(reason), actor=v.actor(actor))

    @event("WeightsSet")
    def _weights_set(self, weights: dict[str, float], reason: str, actor: str) -> None:
        self.weights = weights

    # --- optimisation and the draft ---------------------------------------------------------

    def start_run(self, *, run_id: str, settings: dict[str, Any], actor: str) -> None:
        """An optimisation run has started. If the server dies before it is recorded, the run
        is later marked interrupted, so no run silently vanishes."""
        self.check_not_closed("start an optimisation run")
        run_id = v.text("run_id", run_id, max_length=80)
        if run_id in self.runs or run_id in self.runs_in_progress:
            raise InvalidValue("run_id", f"run {run_id} already exists")
        self._run_started(
            run_id=run_id, settings=v.plain_data("settings", settings), actor=v.actor(actor)
        )

    @event("OptimisationRunStarted")
    def _run_started(self, run_id: str, settings: dict[str, Any], actor: str) -> None:
        self.runs_in_progress[run_id] = settings

    def mark_run_interrupted(self, *, run_id: str, reason: str, actor: str) -> None:
        if run_id not in self.runs_in_progress:
            raise InvalidValue("run_id", f"run {run_id} is not in progress")
        self._run_interrupted(run_id=run_id, reason=v.reason(reason), actor=v.actor(actor))

    @event("OptimisationRunInterrupted")
    def _run_interrupted(self, run_id: str, reason: str, actor: str) -> None:
        settings = self.runs_in_progress.pop(run_id)
        self.runs[run_id] = {
            "inputs_digest": None,
            "settings": settings,
            "status": "INTERRUPTED",
            "objective": None,
            "bound": None,
            "allocation": {"sessions": []},
        }

    def record_run(
        self,
        *,
        run_id: str,
        inputs_digest: str,
        settings: dict[str, Any],
        status: str,
        objective: float | None,
        bound: float | None,
        allocation: dict[str, Any],
        actor: str,
    ) -> None:
        """Records one optimisation run: what went in (a digest), how it was solved and what
        came out (the allocation, as plain data)."""
        self.check_not_closed("record an optimisation run")
        run_id = v.text("run_id", run_id, max_length=80)
        if run_id in self.runs:
            raise InvalidValue("run_id", f"run {run_id} is already recorded")
        if status not in RUN_STATUSES:
            raise InvalidValue("status", f"must be one of: {', '.join(RUN_STATUSES)}")
        if not isinstance(allocation, dict):
            raise InvalidValue("allocation", "must be an object")
        sessions = allocation.get("sessions", [])
        if not isinstance(sessions, list):
            raise InvalidValue("allocation.sessions", "must be a list")
        cleaned = [clean_session(f"allocation.sessions[{i}]", s) for i, s in enumerate(sessions)]
        seen: set[str] = set()
        for index, session in enumerate(cleaned):
            if session["session_id"] in seen:
                raise InvalidValue(
                    f"allocation.sessions[{index}].session_id",
                    f"session {session['session_id']} appears twice: session ids must be unique",
                )
            seen.add(session["session_id"])
        self._run_recorded(
            run_id=run_id,
            inputs_digest=v.text("inputs_digest", inputs_digest, max_length=128),
            settings=v.plain_data("settings", settings),
            status=status,
            objective=None if objective is None else float(objective),
            bound=None if bound is None else float(bound),
            allocation={**allocation, "sessions": cleaned},
            actor=v.actor(actor),
        )

    @event("OptimisationRunRecorded")
    def _run_recorded(
        self,
        run_id: str,
        inputs_digest: str,
        settings: dict[str, Any],
        status: str,
        objective: float | None,
        bound: float | None,
        allocation: dict[str, Any],
        actor: str,
    ) -> None:
        self.runs_in_progress.pop(run_id, None)
        self.runs[run_id] = {
            "inputs_digest": inputs_digest,
            "settings": settings,
            "status": status,
            "objective": objective,
            "bound": bound,
            "allocation": allocation,
        }

    def draft_prospectus(self, *, run_id: str, actor: str) -> None:
        self.check_not_closed("draft a prospectus")
        run = self.runs.get(run_id)
        if run is None:
            raise InvalidValue("run_id", f"no optimisation run {run_id} in cycle {self.name}")
        if run["status"] not in ("OPTIMAL", "FEASIBLE"):
            raise TransitionRefused(
                f"cannot draft a prospectus from run {run_id}: its status is {run['status']}, "
                "not OPTIMAL or FEASIBLE"
            )
        self._prospectus_drafted(run_id=run_id, actor=v.actor(actor))

    @event("ProspectusDrafted")
    def _prospectus_drafted(self, run_id: str, actor: str) -> None:
        self.draft = [dict(session) for session in self.runs[run_id]["allocation"]["sessions"]]
        self.draft_run_id = run_id

    def amend_session(
        self,
        *,
        session_id: str,
        venue_kind: str | None = None,
        venue_id: str | None = None,
        starts_on: object = None,
        ends_on: object = None,
        reason: str,
        actor: str,
    ) -> None:
        """A planner moves a session by hand (another venue or other dates)."""
        self.check_not_closed("amend a session")
        current = self.draft_session(session_id)
        amended = clean_session(
            "session",
            {
                **current,
                "venue_kind": venue_kind or current["venue_kind"],
                "venue_id": venue_id or current["venue_id"],
                "starts_on": starts_on or current["starts_on"],
                "ends_on": ends_on or current["ends_on"],
            },
        )
        changes = {key: amended[key] for key in amended if amended[key] != current[key]}
        if not changes:
            raise InvalidValue("session", "the amendment changes nothing")
        self._session_amended(
            session_id=session_id, changes=changes, reason=v.reason(reason), actor=v.actor(actor)
        )

    @event("SessionAmended")
    def _session_amended(
        self, session_id: str, changes: dict[str, Any], reason: str, actor: str
    ) -> None:
        self.draft_session(session_id).update(changes)

    def pin_session(self, *, session_id: str, pinned: bool, reason: str, actor: str) -> None:
        """A pinned session stays where it is when the plan is re-optimised."""
        self.check_not_closed("pin a session")
        if self.draft_session(session_id)["pinned"] == pinned:
            state = "pinned" if pinned else "not pinned"
            raise InvalidValue("pinned", f"session {session_id} is already {state}")
        self._session_pinned(
            session_id=session_id, pinned=pinned, reason=v.reason(reason), actor=v.actor(actor)
        )

    @event("SessionPinned")
    def _session_pinned(self, session_id: str, pinned: bool, reason: str, actor: str) -> None:
        self.draft_session(session_id)["pinned"] = pinned

    def publish_prospectus(self, *, reason: str, actor: str) -> None:
        """Publishing turns the draft's tentative bookings into confirmed ones."""
        self.check_not_closed("publish the prospectus")
        if not self.draft:
            raise TransitionRefused(
                f"cannot publish an empty draft prospectus for cycle {self.name}"
            )
        self._prospectus_published(
            edition=self.prospectus_edition + 1, reason=v.reason(reason), actor=v.actor(actor)
        )

    @event("ProspectusPublished")
    def _prospectus_published(self, edition: int, reason: str, actor: str) -> None:
        self.published = [dict(session, pinned=True) for session in self.draft]
        self.draft = [dict(session, pinned=True) for session in self.draft]
        self.prospectus_edition = edition
        self.status = CycleStatus.PUBLISHED

    def close(self, *, reason: str, actor: str) -> None:
        self.check_not_closed("close the cycle")
        self._closed(reason=v.reason(reason), actor=v.actor(actor))

    @event("Closed")
    def _closed(self, reason: str, actor: str) -> None:
        self.status = CycleStatus.CLOSED
