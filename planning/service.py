"""Optimisation runs off the request path.

The service builds the planning problem of a cycle from the read models (see `adapter`), solves
it in a worker thread, streams progress, and records the run and the draft prospectus as events
on the PlanningCycle. A run's start is recorded too, so a run cut off by a restart is found by
`recover()` and marked interrupted instead of vanishing."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain import NotFound, PlanningCycle, TrainingPlanner, VersionConflict
from planning.adapter import ProblemError, ProblemSource, build_problem
from planning.whatif import check, from_data, impossible

log = logging.getLogger("trainplan.planning")

SYSTEM_ACTOR = "trainplan (system)"
STARTED_TOPIC = "domain.cycles:PlanningCycle.OptimisationRunStarted"


SUMMARY_KEYS = ("stages", "learners_met", "learners_demanded", "baseline_learners_met",
                "by_group", "cash_cost", "abstraction_cost", "unmet", "shortfalls")  # fmt: skip


def summary(allocation: dict[str, Any] | None) -> dict[str, Any]:
    """A run's outcome in the planners' units, from its recorded allocation (see
    PlanningResult.to_dict): each stage with its unit, status, objective, bound and gap;
    learners met per level (and what the greedy starting plan met); cash cost split capital /
    revenue; learner abstraction apart; the needs left short with their group's code and
    reasons; the shortfalls. A run recorded before these were kept gives what its allocation
    holds (cash cost and abstraction from its cost lines) and None for the rest."""
    data = allocation or {}
    out = {key: data.get(key) for key in SUMMARY_KEYS}
    cost = data.get("cost") or {}
    if out["cash_cost"] is None and cost:
        setup = cost.get("centre_setup", 0)
        out["cash_cost"] = {"total": cost.get("total"), "capital": setup,
                            "revenue": None if cost.get("total") is None
                            else cost["total"] - setup}  # fmt: skip
    if out["abstraction_cost"] is None and cost:
        out["abstraction_cost"] = cost.get("learner_abstraction")
    return out


@dataclass
class RunProgress:
    """What a client sees of a run while it solves and after: while it solves, the stage it is
    in and that stage's objective, bound and gap in the stage's unit."""

    run_id: str
    cycle_id: UUID
    state: str = "running"  # running | finished | failed | cancelled | interrupted
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    elapsed: float = 0.0
    solutions: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None
    stage: str | None = None
    unit: str | None = None
    effective_on: date | str | None = None  # the business date the run's events take effect
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "cycle_id": str(self.cycle_id),
            "state": self.state,
            "stage": self.stage,
            "unit": self.unit,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "elapsed": round(self.elapsed, 3),
            "solutions": self.solutions,
            "result": self.result,
            "error": self.error,
            **summary(self.result),
        }


class PlanningService:
    def __init__(
        self,
        planner: TrainingPlanner,
        source: ProblemSource,
        *,
        max_workers: int = 1,
        after_record: Callable[[], None] | None = None,
    ) -> None:
        self.planner = planner
        self.source = source
        self.after_record = after_record or (lambda: None)
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="optimise")
        self._runs: dict[str, RunProgress] = {}
        self._lock = threading.Lock()

    # --- starting and following runs --------------------------------------------------------

    def start_run(
        self,
        cycle_id: UUID,
        *,
        actor: str,
        time_limit: float = 30.0,
        what_if: dict[str, Any] | None = None,
        workers: int = 2,
        seed: int = 0,
        draft: bool = True,
        effective_on: date | str | None = None,
    ) -> str:
        """Records the run's start and returns its id at once; the solve runs in a thread. The
        run's events take effect on `effective_on` (default: the day they are recorded). A
        cycle that cannot be planned (ProblemError), or a what-if that names what the cycle does
        not have or that no plan could meet (ValueError naming it), is refused before anything
        is recorded."""
        self.after_record()  # the read models reach what the caller recorded before this
        base = build_problem(self.source, cycle_id)
        found = impossible(base)
        if found:
            raise ProblemError(f"no plan can keep every rule: {'; '.join(found)}")
        if what_if:
            check(base, from_data(what_if))
        run_id = uuid.uuid4().hex[:12]
        settings = {"time_limit": time_limit, "workers": workers, "seed": seed,
                    "what_if": what_if or {}}  # fmt: skip
        self.planner.start_run(
            cycle_id, run_id=run_id, settings=settings, actor=actor, effective_on=effective_on
        )
        self.after_record()
        progress = RunProgress(run_id=run_id, cycle_id=cycle_id, effective_on=effective_on)
        with self._lock:
            self._runs[run_id] = progress
        self._executor.submit(self._solve, progress, settings, actor, draft)
        return run_id

    def run(self, cycle_id: UUID, *, actor: str, on_progress: Callable[[RunProgress], None]
            | None = None, **options: Any) -> RunProgress:  # fmt: skip
        """Starts a run and waits for it, calling `on_progress` as incumbents arrive (CLI)."""
        run_id = self.start_run(cycle_id, actor=actor, **options)
        progress = self._runs[run_id]
        while progress.state == "running":
            if on_progress:
                on_progress(progress)
            time.sleep(0.2)
        if on_progress:
            on_progress(progress)
        return progress

    def run_status(self, run_id: str, cycle_id: UUID | None = None) -> dict[str, Any]:
        with self._lock:
            progress = self._runs.get(run_id)
        if progress is not None:
            return progress.as_dict()
        if cycle_id is not None:
            cycle = self.planner.load(PlanningCycle, cycle_id)
            if run_id in cycle.runs:
                run = cycle.runs[run_id]
                state = "interrupted" if run["status"] == "INTERRUPTED" else "finished"
                allocation = run["allocation"]
                return {"run_id": run_id, "cycle_id": str(cycle_id), "state": state,
                        "stage": None, "unit": None,
                        "objective": run["objective"], "bound": run["bound"],
                        "gap": allocation.get("gap"), "elapsed": allocation.get(
                            "seconds", allocation.get("wall_time", 0.0)), "solutions": None,
                        "result": allocation, "error": None,
                        **summary(allocation)}  # fmt: skip
            if run_id in cycle.runs_in_progress:
                return {"run_id": run_id, "cycle_id": str(cycle_id), "state": "running",
                        "stage": None, "unit": None,
                        "objective": None, "bound": None, "gap": None, "elapsed": 0.0,
                        "solutions": 0, "result": None, "error": None,
                        **summary(None)}  # fmt: skip
        raise NotFound("optimisation run", run_id)

    def cancel(self, run_id: str) -> None:
        with self._lock:
            progress = self._runs.get(run_id)
        if progress is None:
            raise NotFound("optimisation run", run_id)
        progress.cancel.set()

    def recover(self) -> list[str]:
        """Marks every run that was started but never recorded (the server was killed) as
        interrupted. Returns their ids."""
        interrupted = []
        with self._lock:
            live = set(self._runs)
        cycles = {
            _uuid(notification.originator_id)
            for notification in self.planner.recorder.select_notifications(
                start=1, limit=1_000_000, topics=[STARTED_TOPIC]
            )
        }
        for cycle_id in cycles:
            cycle = self.planner.load(PlanningCycle, cycle_id)
            for run_id in list(cycle.runs_in_progress):
                if run_id in live:
                    continue
                self.planner.mark_run_interrupted(
                    cycle_id,
                    run_id=run_id,
                    actor=SYSTEM_ACTOR,
                    reason="The server stopped before the run finished",
                )
                interrupted.append(run_id)
        if interrupted:
            self.after_record()
        return interrupted

    def shutdown(self) -> None:
        with self._lock:
            for progress in self._runs.values():
                progress.cancel.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

    # --- the worker -------------------------------------------------------------------------

    def _solve(
        self, progress: RunProgress, settings: dict[str, Any], actor: str, draft: bool
    ) -> None:
        from planning.solver import solve  # OR-Tools is loaded only when a run starts

        started = time.monotonic()
        try:
            problem = build_problem(self.source, progress.cycle_id, what_if=settings["what_if"])

            def on_update(update: Any) -> None:
                progress.stage, progress.unit = update.stage, update.unit
                progress.objective = update.objective
                progress.bound = update.bound
                progress.gap = update.gap
                progress.solutions = update.solutions
                progress.elapsed = time.monotonic() - started

            result = solve(
                problem,
                time_limit=settings["time_limit"],
                workers=settings["workers"],
                seed=settings["seed"],
                on_progress=on_update,
                cancel=progress.cancel,
            )
            allocation = result.to_dict()
            status = (
                "CANCELLED"
                if progress.cancel.is_set() and not allocation["sessions"]
                else result.status
            )
            self._record(progress.cycle_id, actor, progress.effective_on, run_id=progress.run_id,
                         inputs_digest=problem.digest(), settings=settings, status=status,
                         objective=result.objective, bound=result.bound, allocation=allocation,
                         draft=draft and not settings["what_if"])  # fmt: skip
            # at the end: the first stage's (mandated learners), as recorded
            progress.objective, progress.bound, progress.gap = (
                result.objective,
                result.bound,
                result.gap,
            )
            progress.stage, progress.unit = "mandated learners", "learners"
            progress.result = allocation
            progress.state = "cancelled" if progress.cancel.is_set() else "finished"
        except Exception as error:  # the run's failure is recorded, never lost
            log.exception("optimisation run %s failed", progress.run_id)
            progress.error = str(error)
            progress.state = "failed"
            try:
                self._record(
                    progress.cycle_id,
                    actor,
                    progress.effective_on,
                    run_id=progress.run_id,
                    inputs_digest="-",
                    settings=settings,
                    status="FAILED",
                    objective=None,
                    bound=None,
                    allocation={"sessions": [], "error": str(error)},
                    draft=False,
                )
            except Exception:
                log.exception("could not record the failure of run %s", progress.run_id)
        finally:
            progress.elapsed = time.monotonic() - started

    def _record(
        self,
        cycle_id: UUID,
        actor: str,
        effective_on: date | str | None,
        *,
        draft: bool,
        **run: Any,
    ) -> None:
        for attempt in range(5):
            try:
                self.planner.record_run(cycle_id, actor=actor, effective_on=effective_on, **run)
                break
            except VersionConflict:  # another command touched the cycle meanwhile: retry
                if attempt == 4:
                    raise
        if draft and run["status"] in ("OPTIMAL", "FEASIBLE") and run["allocation"]["sessions"]:
            for attempt in range(5):
                try:
                    self.planner.draft_prospectus(
                        cycle_id, run_id=run["run_id"], actor=actor, effective_on=effective_on
                    )
                    break
                except VersionConflict:
                    if attempt == 4:
                        raise
        self.after_record()


def _uuid(value: UUID | str) -> UUID:
    """The store's originator ids are UUIDs; a recorder may hand them back as text."""
    return value if isinstance(value, UUID) else UUID(value)
