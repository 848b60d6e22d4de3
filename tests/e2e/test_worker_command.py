"""`trainplan worker` end to end: a separate process takes the run the API queued, solves it,
and records it, as the server's own worker would."""

from __future__ import annotations

from pathlib import Path

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
