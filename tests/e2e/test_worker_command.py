"""`trainplan worker` end to end: a separate process takes the run the API queued, solves it,
and records it, as the server's own worker would; killed mid-run, it leaves the run to be
marked interrupted, and the run can be retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.scenario_store import record_scenario
from domain import PlanningCycle, TrainingPlanner
from planning.jobs import RunQueue
from planning.service import PlanningService
from projections import open_projections
from tests.e2e.test_demo_command import trainplan
from tests.factories import a_cycle, a_facility, a_group, an_endorsed_need


def test_a_worker_process_solves_the_queued_run_and_records_it(
    planner: TrainingPlanner, database_url: str, tmp_path: Path
) -> None:
    group = a_group(planner)
    an_endorsed_need(planner, group, learners=28, window_end="2003-06-30")
    a_facility(planner, opened_on="1990-01-01")
    cycle = a_cycle(planner)
    views = open_projections(database_url)
    queue = RunQueue(database_url)
    service = PlanningService(planner, views.problem_source(), queue=queue, workers=0,
                              after_record=views.catch_up)  # fmt: skip
    try:
        run_id = service.start_run(cycle, actor="tmb.chair", time_limit=2, workers=1)
        assert service.run_status(run_id, cycle)["queued"]

        done = trainplan("worker", "--once", database_url=database_url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "trainplan worker" in done.stderr

        status = service.run_status(run_id, cycle)
        assert status["state"] == "finished", status
        assert status["worker"] and not status["worker"].startswith(service.name)
        assert status["result"]["sessions"]
        recorded = planner.load(PlanningCycle, cycle)
        assert recorded.runs[run_id]["status"] in ("OPTIMAL", "FEASIBLE")
        assert recorded.draft_run_id == run_id
    finally:
        service.shutdown()
        queue.close()
        views.close()


def test_a_worker_killed_mid_run_leaves_the_run_interrupted_and_retryable(
    planner: TrainingPlanner, database_url: str, tmp_path: Path
) -> None:
    cycle = record_scenario(planner, "XL")  # a full year: far from solved when it is killed
    views = open_projections(database_url)
    views.catch_up()
    queue = RunQueue(database_url)
    service = PlanningService(planner, views.problem_source(), queue=queue, workers=0,
                              after_record=views.catch_up, stale_after=3)  # fmt: skip
    env = {**os.environ, "TRAINPLAN_DATABASE_URL": database_url}
    worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], cwd=tmp_path,
                              env=env, stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        run_id = service.start_run(cycle, actor="tmb.chair", time_limit=300, workers=1)
        deadline = time.monotonic() + 60
        while (job := queue.get(run_id)) is None or job.heartbeat is None or not job.progress:
            assert time.monotonic() < deadline, "the worker never reported on the run"
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            time.sleep(0.2)
        assert job.state == "running"
        os.killpg(worker.pid, signal.SIGKILL)  # the machine is lost mid-run
        worker.wait(timeout=30)

        deadline = time.monotonic() + 30
        while (status := service.run_status(run_id, cycle))["state"] == "running":
            assert time.monotonic() < deadline, f"never marked interrupted: {status}"
            time.sleep(0.2)
        assert status["state"] == "interrupted"
        assert "stopped reporting" in status["error"]
        assert planner.load(PlanningCycle, cycle).runs[run_id]["status"] == "INTERRUPTED"

        retry = service.retry_run(cycle, run_id, actor="tmb.chair")
        assert service.run_status(retry, cycle)["queued"]
        service.cancel(retry)  # (not solved here: a full year takes minutes)
        assert service.run_status(retry, cycle)["state"] == "cancelled"
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        service.shutdown()
        queue.close()
        views.close()
