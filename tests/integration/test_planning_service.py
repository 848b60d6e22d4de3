"""Optimisation runs survive as events: a run cut off by a restart is found and marked
interrupted; one that finished is read back after the restart."""

from __future__ import annotations

from domain import TrainingPlanner
from planning.service import PlanningService
from projections import open_projections
from tests.factories import a_cycle, a_facility, a_group, an_endorsed_need


def test_a_run_cut_off_by_a_restart_is_marked_interrupted_and_a_finished_one_survives(
    planner: TrainingPlanner, database_url: str
) -> None:
    group = a_group(planner)
    an_endorsed_need(planner, group, learners=28, window_end="2003-06-30")
    a_facility(planner, opened_on="1990-01-01")
    cycle = a_cycle(planner)
    views = open_projections(database_url)
    views.catch_up()
    first = PlanningService(planner, views.problem_source(), after_record=views.catch_up)
    finished = first.run(cycle, actor="tmb.chair", time_limit=2, workers=1)
    assert finished.state == "finished", finished.error
    planner.start_run(cycle, run_id="lost", settings={"time_limit": 30}, actor="tmb.chair")
    first.shutdown()  # the server stops; "lost" never finishes

    restarted = PlanningService(planner, views.problem_source(), after_record=views.catch_up)
    try:
        assert restarted.recover() == ["lost"]
        assert restarted.run_status("lost", cycle)["state"] == "interrupted"
        survivor = restarted.run_status(finished.run_id, cycle)
        assert survivor["state"] == "finished"
        assert survivor["result"]["sessions"]
        runs = {r["run_id"]: r for r in views.query("runs")[0]}
        assert runs["lost"]["state"] == "interrupted"
        assert runs["lost"]["note"] == "The server stopped before the run finished"
        assert runs[finished.run_id]["status"] in ("OPTIMAL", "FEASIBLE")
        assert restarted.recover() == []  # nothing left to mark
    finally:
        restarted.shutdown()
        views.close()
