"""Optimisation runs as jobs on the durable run queue (planning.jobs): queued, taken and solved
by a worker, seen from another process's service, interrupted when their worker dies and
retried; on PostgreSQL, workers never take the same job (SKIP LOCKED)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain import PlanningCycle, TrainingPlanner, TransitionRefused, store_env
from planning.jobs import RunQueue
from planning.service import PlanningService
from projections import Projections, open_projections
from tests.factories import a_cycle, a_facility, a_group, an_endorsed_need


@pytest.fixture
def views(planner: TrainingPlanner, database_url: str) -> Iterator[Projections]:
    group = a_group(planner)
    an_endorsed_need(planner, group, learners=28, window_end="2003-06-30")
    a_facility(planner, opened_on="1990-01-01")
    opened = open_projections(database_url)
    opened.catch_up()
    yield opened
    opened.close()


@pytest.fixture
def services(
    planner: TrainingPlanner, views: Projections, database_url: str
) -> Iterator[Callable[..., PlanningService]]:
    """Planning services on the store's run queue, each with a queue connection of its own
    (as separate processes have); all shut down at the end."""
    made: list[tuple[PlanningService, RunQueue]] = []

    def make(**options: Any) -> PlanningService:
        queue = RunQueue(database_url)
        service = PlanningService(planner, views.problem_source(), queue=queue,
                                  after_record=views.catch_up, **options)  # fmt: skip
        made.append((service, queue))
        return service

    yield make
    for service, queue in made:
        service.shutdown()
        queue.close()


def wait_for(condition: Callable[[], Any], seconds: float = 60.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not reached within {seconds} s")


def test_a_run_waits_on_the_queue_until_a_worker_takes_and_solves_it(
    planner: TrainingPlanner, services: Callable[..., PlanningService]
) -> None:
    cycle = a_cycle(planner)
    service = services(workers=0)
    run_id = service.start_run(cycle, actor="tmb.chair", time_limit=2, workers=1)
    waiting = service.run_status(run_id, cycle)
    assert (waiting["state"], waiting["queued"], waiting["stage"]) == (
        "running", True, "waiting for a worker"
    )  # fmt: skip
    assert run_id in planner.load(PlanningCycle, cycle).runs_in_progress  # its start: an event

    service.start_workers(1)
    done = wait_for(lambda: (s := service.run_status(run_id, cycle))["state"] == "finished" and s)
    assert done["result"]["sessions"]
    assert done["worker"].startswith(service.name)
    assert done["learners_met"]["Mandated"] >= 0
    recorded = planner.load(PlanningCycle, cycle)
    assert recorded.runs[run_id]["status"] in ("OPTIMAL", "FEASIBLE")
    assert recorded.draft_run_id == run_id


def test_another_process_reads_the_progress_and_the_result_from_the_job_row(
    planner: TrainingPlanner, services: Callable[..., PlanningService]
) -> None:
    cycle = a_cycle(planner)
    solver = services(workers=1, report_every=0.1)
    reader = services(workers=0)
    run_id = reader.start_run(cycle, actor="tmb.chair", time_limit=2, workers=1)
    seen = set()
    while "finished" not in seen:
        status = reader.run_status(run_id, cycle)
        seen.add("queued" if status["queued"] else status["state"])
        if status["state"] == "running" and not status["queued"]:
            assert status["worker"].startswith(solver.name)
        time.sleep(0.05)
    assert seen <= {"queued", "running", "finished"}
    assert reader.run_status(run_id, cycle) == solver.run_status(run_id, cycle)
    assert reader.run_status(run_id, cycle)["solutions"] >= 1


def test_a_cancel_asked_of_any_process_reaches_the_worker_through_the_job_row(
    planner: TrainingPlanner, services: Callable[..., PlanningService]
) -> None:
    cycle = a_cycle(planner)
    reader = services(workers=0)
    run_id = reader.start_run(cycle, actor="tmb.chair", time_limit=60, workers=1)
    elsewhere = services(workers=0).queue
    assert elsewhere.claim("worker-elsewhere") is not None
    assert elsewhere.report(run_id, "worker-elsewhere", {"stage": "mandated learners"}) is False
    reader.cancel(run_id)
    assert elsewhere.report(run_id, "worker-elsewhere", {}) is True  # the worker stops


def test_a_run_cancelled_before_a_worker_took_it_ends_at_once(
    planner: TrainingPlanner, services: Callable[..., PlanningService]
) -> None:
    cycle = a_cycle(planner)
    service = services(workers=0)
    run_id = service.start_run(cycle, actor="tmb.chair", time_limit=60, workers=1)
    service.cancel(run_id)
    assert service.run_status(run_id, cycle)["state"] == "cancelled"
    assert planner.load(PlanningCycle, cycle).runs[run_id]["status"] == "CANCELLED"
    assert service.queue.claim("late-worker") is None


def test_a_run_whose_worker_died_is_marked_interrupted_and_can_be_retried(
    planner: TrainingPlanner, services: Callable[..., PlanningService]
) -> None:
    cycle = a_cycle(planner)
    service = services(workers=0, stale_after=2.0)
    run_id = service.start_run(cycle, actor="tmb.chair", time_limit=2, workers=1)
    taken = service.queue.claim("far-away:4242:killed")  # then the process is killed
    assert taken is not None and taken.run_id == run_id
    assert service.run_status(run_id, cycle)["state"] == "running"
    assert service.recover() == []  # its heartbeat is fresh: it may still be solving

    interrupted = wait_for(
        lambda: (s := service.run_status(run_id, cycle))["state"] == "interrupted" and s, 10
    )
    assert "stopped reporting" in interrupted["error"]
    recorded = planner.load(PlanningCycle, cycle)
    assert recorded.runs[run_id]["status"] == "INTERRUPTED"
    assert run_id not in recorded.runs_in_progress
    assert service.queue.report(run_id, "far-away:4242:killed", {}) is None  # too late

    retry = service.retry_run(cycle, run_id, actor="tmb.chair")
    assert retry != run_id
    assert service.run_status(retry, cycle)["retry_of"] == run_id
    service.start_workers(1)
    done = wait_for(lambda: (s := service.run_status(retry, cycle))["state"] == "finished" and s)
    assert done["result"]["sessions"]
    with pytest.raises(TransitionRefused, match="only an interrupted or failed run"):
        service.retry_run(cycle, retry, actor="tmb.chair")


def test_a_restart_leaves_queued_runs_for_the_next_worker(
    planner: TrainingPlanner, services: Callable[..., PlanningService]
) -> None:
    cycle = a_cycle(planner)
    first = services(workers=0)
    run_id = first.start_run(cycle, actor="tmb.chair", time_limit=2, workers=1)
    first.shutdown()  # the server stops before any worker took it
    restarted = services(workers=0)
    assert restarted.recover() == []
    restarted.start_workers(1)
    wait_for(lambda: restarted.run_status(run_id, cycle)["state"] == "finished")


# --- PostgreSQL: many workers, one queue ------------------------------------------------------


def some_jobs(queue: RunQueue, count: int) -> list[str]:
    ids = [f"job-{n:03d}" for n in range(count)]
    for run_id in ids:
        queue.enqueue(run_id, str(UUID(int=1)), actor="tmb.chair", settings={},
                      draft=False, effective_on=None)  # fmt: skip
    return ids


@pytest.mark.postgres
def test_workers_taking_jobs_at_once_never_take_the_same_one(
    postgres_session_url: str,
) -> None:
    from tests.conftest import empty_postgres

    empty_postgres(postgres_session_url)
    queues = [RunQueue(postgres_session_url) for _ in range(4)]
    ids = some_jobs(queues[0], 60)
    taken: dict[str, list[str]] = {}
    start = threading.Barrier(len(queues))

    def take(index: int) -> None:
        start.wait()
        while (job := queues[index].claim(f"worker-{index}")) is not None:
            taken.setdefault(job.run_id, []).append(f"worker-{index}")

    threads = [threading.Thread(target=take, args=(i,)) for i in range(len(queues))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(taken) == ids
        assert all(len(workers) == 1 for workers in taken.values()), taken
    finally:
        for queue in queues:
            queue.close()


@pytest.mark.postgres
def test_a_job_another_worker_is_taking_is_skipped_not_waited_for(
    postgres_session_url: str,
) -> None:
    from tests.conftest import empty_postgres

    empty_postgres(postgres_session_url)
    queue = RunQueue(postgres_session_url)
    first, second = some_jobs(queue, 2)
    env = store_env(postgres_session_url)
    with psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                         user=env["POSTGRES_USER"], dbname=env["POSTGRES_DBNAME"]) as other:  # fmt: skip
        other.execute("SELECT run_id FROM optimisation_jobs WHERE run_id = %s FOR UPDATE", (first,))
        started = time.monotonic()
        job = queue.claim("worker-b")  # the first is locked by the other worker's transaction
        assert job is not None and job.run_id == second
        assert time.monotonic() - started < 5
        other.rollback()
    again = queue.claim("worker-b")
    assert again is not None and again.run_id == first
    queue.close()
