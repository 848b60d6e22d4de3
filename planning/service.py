"""Optimisation runs off the request path, as jobs on a durable queue (`planning.jobs`).

`start_run` records the run's start as an event and puts a job on the queue; a worker (a thread
of this service, `start_workers`, or a `trainplan worker` process on any machine) takes it,
builds the planning problem from the read models (see `adapter`), solves it, writes its progress
to the job row (every half second, with its heartbeat) and records the run and the draft
prospectus as events on the PlanningCycle. `run_status` reads the job row, so any process sees
any run's progress; a cancel sets a flag on the row that the worker polls. A job whose worker
stops heartbeating is marked interrupted (and so is its run, by an event) by any worker or by
the server reading it; `retry_run` starts it again as a new run with the same settings. A run
started before the queue existed, cut off by a restart, is found by `recover()` too."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain import (
    InvalidValue,
    NotFound,
    PlanningCycle,
    TrainingPlanner,
    TransitionRefused,
    VersionConflict,
)
from planning import jobs
from planning.adapter import ProblemError, ProblemSource, build_problem
from planning.jobs import Job, RunQueue
from planning.whatif import check, from_data, impossible

log = logging.getLogger("trainplan.planning")

SYSTEM_ACTOR = "trainplan (system)"
STARTED_TOPIC = "domain.cycles:PlanningCycle.OptimisationRunStarted"
REPORT_EVERY = 0.5  # seconds between a worker's progress writes (its heartbeat)
STALE_AFTER = 30.0  # seconds without a heartbeat before a running job is marked interrupted
POLL = 0.5  # seconds between a worker's looks at an empty queue
ORPHAN_GRACE = 1.0  # seconds between a run's start (an event) and its job row, at most
QUEUED_STAGE = "waiting for a worker"  # the stage a queued run shows (its state: running)


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
    state: str = "running"  # queued | running | finished | failed | cancelled | interrupted
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
    lost: bool = False  # the job was taken from this worker (marked interrupted): record nothing

    def live(self) -> dict[str, Any]:
        """What the job row carries while it solves."""
        return {"stage": self.stage, "unit": self.unit, "objective": self.objective,
                "bound": self.bound, "gap": self.gap, "solutions": self.solutions,
                "elapsed": round(self.elapsed, 3)}  # fmt: skip

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
    """Starts runs as jobs on the queue, solves them in its worker threads (if started) or in
    the caller (`run`), and tells any run's state from its job row."""

    def __init__(
        self,
        planner: TrainingPlanner,
        source: ProblemSource,
        *,
        queue: RunQueue | None = None,
        workers: int = 1,
        after_record: Callable[[], None] | None = None,
        stale_after: float = STALE_AFTER,
        report_every: float = REPORT_EVERY,
        poll: float = POLL,
    ) -> None:
        """`queue`: the store's run queue (default: a queue of this process's own, in memory).
        `workers`: how many worker threads take jobs from it here (0: other processes do)."""
        self.planner = planner
        self.source = source
        self.after_record = after_record or (lambda: None)
        self.queue = queue if queue is not None else RunQueue("sqlite:///:memory:")
        self._owns_queue = queue is None
        self.stale_after, self.report_every, self.poll = stale_after, report_every, poll
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._local: dict[str, RunProgress] = {}  # runs solving in this process
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.start_workers(workers)

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
        retry_of: str | None = None,
        solver: str | None = None,
    ) -> str:
        """Records the run's start, puts it on the queue and returns its id at once; a worker
        solves it. The run's events take effect on `effective_on` (default: the day they are
        recorded). A cycle that cannot be planned (ProblemError), or a what-if that names what
        the cycle does not have or that no plan could meet (ValueError naming it), is refused
        before anything is recorded. `solver`: the worker that will solve it itself (`run`)."""
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
        self.queue.enqueue(run_id, str(cycle_id), actor=actor, settings=settings, draft=draft,
                           effective_on=None if effective_on is None else str(effective_on),
                           retry_of=retry_of, worker=solver)  # fmt: skip
        self._wake.set()
        return run_id

    def run(self, cycle_id: UUID, *, actor: str, on_progress: Callable[[RunProgress], None]
            | None = None, **options: Any) -> RunProgress:  # fmt: skip
        """Starts a run and solves it here, in a thread of the caller, calling `on_progress` as
        incumbents arrive (the CLI). The run goes through the queue like any other: its job
        row is taken by this process from the start, and shows its progress to every other."""
        solver = f"{self.name}:cli"
        run_id = self.start_run(cycle_id, actor=actor, solver=solver, **options)
        job = self.queue.get(run_id)
        if job is None:  # pragma: no cover - it was written just now
            raise NotFound("optimisation run", run_id)
        progress = self._progress_of(job)
        thread = threading.Thread(target=self._work, args=(job, solver, progress),
                                  name=f"optimise-{run_id}", daemon=True)  # fmt: skip
        self._threads.append(thread)  # interrupted (Ctrl-C), `shutdown` lets it record
        thread.start()
        while thread.is_alive():
            if on_progress:
                on_progress(progress)
            thread.join(0.2)
        if on_progress:
            on_progress(progress)
        return progress

    def run_status(self, run_id: str, cycle_id: UUID | None = None) -> dict[str, Any]:
        """A run's state from its job row (whichever process solves it), its result from the
        events once recorded. A running job whose worker has stopped heartbeating is marked
        interrupted here."""
        job = self.queue.get(run_id)
        if job is not None and (cycle_id is None or job.cycle_id == str(cycle_id)):
            if job.state == jobs.RUNNING and (job.heartbeat_age or 0.0) > self.stale_after:
                self.reap()
                job = self.queue.get(run_id) or job
            return self._job_status(job)
        if cycle_id is not None:
            cycle = self.planner.load(PlanningCycle, cycle_id)
            if run_id in cycle.runs:
                return self._recorded_status(cycle, run_id)
            if run_id in cycle.runs_in_progress:
                return {"run_id": run_id, "cycle_id": str(cycle_id), "state": "running",
                        "stage": None, "unit": None,
                        "objective": None, "bound": None, "gap": None, "elapsed": 0.0,
                        "solutions": 0, "result": None, "error": None,
                        **summary(None)}  # fmt: skip
        raise NotFound("optimisation run", run_id)

    def _job_status(self, job: Job) -> dict[str, Any]:
        live = {"stage": None, "unit": None, "objective": None, "bound": None, "gap": None,
                "elapsed": 0.0, "solutions": 0} | job.progress  # fmt: skip
        queued = job.state == jobs.QUEUED  # shown as running (as a started run always was)
        if queued:
            live["stage"] = QUEUED_STAGE
        status = {"run_id": job.run_id, "cycle_id": job.cycle_id,
                  "state": jobs.RUNNING if queued else job.state, "queued": queued,
                  **live, "result": None, "error": job.error, "retry_of": job.retry_of,
                  "worker": job.worker, **summary(None)}  # fmt: skip
        if job.state in (jobs.QUEUED, jobs.RUNNING):
            return status
        cycle = self.planner.load(PlanningCycle, UUID(job.cycle_id))
        if job.run_id not in cycle.runs:  # ended, its events not yet recorded (or never)
            return status
        recorded = self._recorded_status(cycle, job.run_id)
        return recorded | {"state": job.state, "queued": False,
                           "error": job.error or recorded["error"],
                           "solutions": live["solutions"], "retry_of": job.retry_of,
                           "worker": job.worker}  # fmt: skip

    @staticmethod
    def _recorded_status(cycle: PlanningCycle, run_id: str) -> dict[str, Any]:
        run = cycle.runs[run_id]
        state = "interrupted" if run["status"] == "INTERRUPTED" else "finished"
        allocation = run["allocation"]
        return {"run_id": run_id, "cycle_id": str(cycle.id), "state": state,
                "stage": None, "unit": None,
                "objective": run["objective"], "bound": run["bound"],
                "gap": allocation.get("gap"), "elapsed": allocation.get(
                    "seconds", allocation.get("wall_time", 0.0)), "solutions": None,
                "result": allocation, "error": allocation.get("error"),
                **summary(allocation)}  # fmt: skip

    def cancel(self, run_id: str) -> None:
        """Asks the worker solving the run (wherever it is) to stop: it keeps and records the
        best allocation found so far. A run no worker has taken yet ends cancelled at once."""
        if self.queue.get(run_id) is None:
            raise NotFound("optimisation run", run_id)
        waiting = self.queue.cancel_queued(run_id)
        if waiting is not None:
            self._record(UUID(waiting.cycle_id), waiting.actor, waiting.effective_on,
                         run_id=run_id, inputs_digest="-", settings=waiting.settings,
                         status="CANCELLED", objective=None, bound=None,
                         allocation={"sessions": []}, draft=False)  # fmt: skip
            return
        self.queue.request_cancel(run_id)
        with self._lock:
            progress = self._local.get(run_id)
        if progress is not None:
            progress.cancel.set()

    def retry_run(self, cycle_id: UUID, run_id: str, *, actor: str) -> str:
        """Starts an interrupted or failed run again, as a new run with the same settings (the
        cycle's history keeps both; the new run's events take effect on the day it is retried);
        returns the new run's id."""
        cycle = self.planner.load(PlanningCycle, cycle_id)
        if run_id not in cycle.runs and run_id not in cycle.runs_in_progress:
            raise NotFound("optimisation run", run_id)
        status = cycle.runs.get(run_id, {}).get("status")
        if status not in ("INTERRUPTED", "FAILED"):
            state = "still in progress" if status is None else f"ended {status.lower()}"
            raise TransitionRefused(
                f"run {run_id} is {state}: only an interrupted or failed run can be retried"
            )
        job = self.queue.get(run_id)
        settings = job.settings if job is not None else cycle.runs[run_id]["settings"]
        return self.start_run(
            cycle_id,
            actor=actor,
            time_limit=float(settings.get("time_limit", 30.0)),
            what_if=settings.get("what_if") or None,
            workers=int(settings.get("workers", 2)),
            seed=int(settings.get("seed", 0)),
            draft=True if job is None else job.draft,
            retry_of=run_id,
        )

    def recover(self) -> list[str]:
        """Marks interrupted every run that was started but will never be recorded: its job's
        worker stopped heartbeating, its job ended without recording it, or it has no job (it
        was started before the queue, and the server was killed). A queued job, or one whose
        worker still reports, is left alone. Returns the runs' ids."""
        interrupted = [job.run_id for job in self.reap()]
        cycles = {
            _uuid(notification.originator_id)
            for notification in self.planner.recorder.select_notifications(
                start=1, limit=1_000_000, topics=[STARTED_TOPIC]
            )
        }
        suspects = [(cycle_id, run_id) for cycle_id in cycles
                    for run_id in self.planner.load(PlanningCycle, cycle_id).runs_in_progress
                    if self._cut_off(run_id)]  # fmt: skip
        if suspects:  # a run is queued just after its start is recorded: let it be queued
            time.sleep(ORPHAN_GRACE)
        for cycle_id, run_id in suspects:
            if run_id not in self.planner.load(PlanningCycle, cycle_id).runs_in_progress:
                continue
            reason = self._cut_off(run_id)
            if reason and self._interrupt(cycle_id, run_id, reason):
                interrupted.append(run_id)
        if interrupted:
            self.after_record()
        return interrupted

    def _cut_off(self, run_id: str) -> str | None:
        """Why a run in progress will never be recorded, or None if a worker has it or will."""
        job = self.queue.get(run_id)
        if job is None:
            return "The server stopped before the run finished"
        if job.state in (jobs.QUEUED, jobs.RUNNING):
            return None
        return f"The run's job ended ({job.state}) before the run was recorded"

    def reap(self) -> list[Job]:
        """Marks interrupted (the job and, by an event, its run) every running job whose worker
        has not reported for longer than the stale timeout; returns them."""
        reaped = self.queue.reap(self.stale_after)
        for job in reaped:
            log.warning("run %s: its worker %s stopped reporting; marked interrupted",
                        job.run_id, job.worker)  # fmt: skip
            self._interrupt(
                UUID(job.cycle_id),
                job.run_id,
                f"The worker solving it stopped reporting for more than {self.stale_after:g} s",
            )
        if reaped:
            self.after_record()
        return reaped

    def _interrupt(self, cycle_id: UUID, run_id: str, reason: str) -> bool:
        for attempt in range(5):
            try:
                self.planner.mark_run_interrupted(
                    cycle_id, run_id=run_id, actor=SYSTEM_ACTOR, reason=reason
                )
                return True
            except InvalidValue:  # recorded meanwhile, or marked by another process
                return False
            except VersionConflict:
                if attempt == 4:
                    raise
        return False

    # --- worker threads ---------------------------------------------------------------------

    def start_workers(self, count: int) -> None:
        """Starts `count` worker threads taking jobs from the queue (stopped by `shutdown`)."""
        for index in range(count):
            thread = threading.Thread(target=self.work, name=f"optimise-worker-{index}",
                                      daemon=True)  # fmt: skip
            self._threads.append(thread)
            thread.start()

    def work(self, *, until: Callable[[], bool] | None = None) -> None:
        """A worker's loop: marks stale jobs interrupted, takes the oldest queued job, solves
        it; waits when the queue is empty. Runs until `shutdown` (or `until()` is true)."""
        worker = f"{self.name}:{threading.current_thread().name}"
        while not self._stop.is_set() and not (until and until()):
            try:
                self.reap()
                job = self.queue.claim(worker)
            except Exception:  # the database went away for a moment: try again later
                log.exception("the run queue could not be read; trying again")
                job = None
            if job is None:
                self._wake.wait(self.poll)
                self._wake.clear()
                continue
            self._work(job, worker, self._progress_of(job))

    def shutdown(self) -> None:
        """Stops the worker threads; a run solving here is cancelled and keeps (records) the
        best allocation found so far. Queued runs stay queued for the next worker."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            for progress in self._local.values():
                progress.cancel.set()
        for thread in self._threads:
            thread.join()
        if self._owns_queue:
            self.queue.close()

    def _progress_of(self, job: Job) -> RunProgress:
        return RunProgress(run_id=job.run_id, cycle_id=UUID(job.cycle_id),
                           effective_on=job.effective_on)  # fmt: skip

    def _work(self, job: Job, worker: str, progress: RunProgress) -> None:
        """Solves one taken job, reporting its progress and heartbeat to the row while it
        solves (and polling it for a cancel), then ends the job."""
        with self._lock:
            self._local[job.run_id] = progress
        if job.cancel_requested:
            progress.cancel.set()
        done = threading.Event()

        def report() -> None:
            while not done.wait(self.report_every):
                try:
                    cancel = self.queue.report(job.run_id, worker, progress.live())
                except Exception:
                    log.exception("run %s: its progress could not be written", job.run_id)
                    continue
                if cancel is None:  # marked interrupted meanwhile: stop, record nothing
                    progress.lost = True
                    progress.cancel.set()
                elif cancel:
                    progress.cancel.set()

        reporter = threading.Thread(target=report, name=f"report-{job.run_id}", daemon=True)
        reporter.start()
        try:
            self._solve(progress, job.settings, job.actor, job.draft)
        finally:
            done.set()
            reporter.join()
            with self._lock:
                self._local.pop(job.run_id, None)
            if not progress.lost:
                try:
                    self.queue.end(job.run_id, worker, progress.state, progress.live(),
                                   progress.error)  # fmt: skip
                except Exception:  # its heartbeat stops: it is marked interrupted in time
                    log.exception("run %s: its end could not be written", job.run_id)

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
            if progress.lost:
                progress.state = "interrupted"
                return
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
            if progress.lost:
                return
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
