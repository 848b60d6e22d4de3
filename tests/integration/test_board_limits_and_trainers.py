"""The boards' operational capability limit and the trainer pools, as commands on the real
stores, and as the optimiser reads them from the read models."""

from __future__ import annotations

from datetime import date

import pytest

from domain import (
    BusinessGroup,
    DuplicateKey,
    InvalidValue,
    OutsideScope,
    PlanningCycle,
    TrainerPool,
    TrainingPlanner,
)
from planning.adapter import build_problem
from planning.service import PlanningService
from projections import open_projections
from tests.factories import a_cycle, a_facility, a_group, an_endorsed_need


def test_a_board_sets_its_weekly_limit_and_the_optimiser_reads_it(
    planner: TrainingPlanner, database_url: str
) -> None:
    tp = a_group(planner, code="TP")
    so = a_group(planner, code="SO", name="Specialist Operations")
    an_endorsed_need(planner, tp)
    cycle = a_cycle(planner)
    assert planner.load(BusinessGroup, so).capability_percent == 5.0  # until the board sets it
    planner.set_capability_limit(tp, away_percent=3.5, reason="Summer events", actor="tp.chair",
                                 acting_for={tp})  # fmt: skip
    views = open_projections(database_url)
    try:
        views.catch_up()
        problem = build_problem(views.problem_source(), cycle)
    finally:
        views.close()
    limits = {g.code: g.away_percent for g in problem.groups}
    assert limits == {"TP": 3.5, "SO": 5.0}


def test_a_weekly_limit_outside_0_to_100_or_for_another_group_is_refused_and_changes_nothing(
    planner: TrainingPlanner,
) -> None:
    tp, so = a_group(planner, code="TP"), a_group(planner, code="SO", name="Specialist Ops")
    before = planner.recorder.max_notification_id()
    with pytest.raises(InvalidValue, match="away_percent: must be a percentage from 0 to 100"):
        planner.set_capability_limit(tp, away_percent=101, reason="r", actor="tp.chair")
    with pytest.raises(InvalidValue, match="away_percent: must be at least 0"):
        planner.set_capability_limit(tp, away_percent=-1, reason="r", actor="tp.chair")
    with pytest.raises(OutsideScope, match="operational capability limit"):
        planner.set_capability_limit(so, away_percent=4, reason="r", actor="tp.chair",
                                     acting_for={tp})  # fmt: skip
    assert planner.recorder.max_notification_id() == before


def test_a_trainer_pool_records_leave_and_sickness_never_more_than_it_has(
    planner: TrainingPlanner,
) -> None:
    pool = planner.register_trainer_pool(name="Officer safety trainers", discipline="Officer safety",
                                         trainers=10, courses=["gp05"], actor="lspu")  # fmt: skip
    planner.record_trainer_absence(pool, starts_on="2003-08-04", ends_on="2003-08-15", trainers=6,
                                   kind="leave", reason="Summer leave", actor="lspu")  # fmt: skip
    planner.record_trainer_absence(pool, starts_on="2003-08-11", ends_on="2003-08-11", trainers=4,
                                   kind="sickness", reason="Flu", actor="lspu")  # fmt: skip
    found = planner.load(TrainerPool, pool)
    assert (found.discipline, found.courses, found.away_on("2003-08-11")) == (
        "officer safety", ["GP05"], 10)  # fmt: skip
    before = planner.recorder.max_notification_id()
    with pytest.raises(InvalidValue, match="trainers: must be at most 0: the pool has 10"):
        planner.record_trainer_absence(pool, starts_on="2003-08-11", ends_on="2003-08-12",
                                       trainers=1, kind="leave", reason="r", actor="lspu")  # fmt: skip
    with pytest.raises(InvalidValue, match="kind: must be one of"):
        planner.record_trainer_absence(pool, starts_on="2003-09-01", ends_on="2003-09-01",
                                       trainers=1, kind="holiday", reason="r", actor="lspu")  # fmt: skip
    with pytest.raises(InvalidValue, match="trainers: must be at least 10"):
        planner.change_pool_strength(pool, trainers=9, reason="Two left", actor="lspu")
    with pytest.raises(DuplicateKey):
        planner.register_trainer_pool(name="officer safety trainers", discipline="x", trainers=1,
                                      courses=["GP05"], actor="lspu")  # fmt: skip
    assert planner.recorder.max_notification_id() == before


def test_an_e_learning_need_is_planned_without_a_room_published_and_its_pools_read(
    planner: TrainingPlanner, database_url: str
) -> None:
    tp = a_group(planner, code="TP")
    gp05 = an_endorsed_need(planner, tp, learners=64, window_end="2003-05-30")
    online = an_endorsed_need(planner, tp, learners=300, course_code="IT40", class_size_min=1,
                              class_size_max=30, delivery_mode="e-learning", required_features=[],
                              trainers_per_session=0, days_per_learner=0.5)  # fmt: skip
    gym = a_facility(planner, opened_on="1990-01-01")
    planner.set_facility_running_cost(gym, per_year=36_600, reason="Premises", actor="lspu")
    pool = planner.register_trainer_pool(name="OST trainers", discipline="officer safety",
                                         trainers=2, courses=["GP05"], actor="lspu")  # fmt: skip
    planner.record_trainer_absence(pool, starts_on="2003-04-01", ends_on="2003-05-30", trainers=1,
                                   kind="sickness", reason="Long-term sick", actor="lspu")  # fmt: skip
    cycle = a_cycle(planner)
    views = open_projections(database_url)
    try:
        views.catch_up()
        problem = build_problem(views.problem_source(), cycle)
        [gym_venue] = problem.venues
        assert gym_venue.running_cost_per_year == 36_600
        assert [(p.discipline, p.available(date(2003, 4, 2))) for p in problem.pools] == [
            ("officer safety", 1)]  # fmt: skip
        service = PlanningService(planner, views.problem_source(), after_record=views.catch_up)
        try:
            run = service.run(cycle, actor="planner.tp", time_limit=3, workers=1)
        finally:
            service.shutdown()
        assert run.state == "finished", run.error
        assert run.result is not None
        sessions = run.result["sessions"]
        assert {s["venue_kind"] for s in sessions if str(online) in s["needs"]} == {"online"}
        # one OST trainer at work a day until June: a 2-day class of 16 takes both
        assert sum(s["needs"].get(str(gp05), 0) for s in sessions) == 0
        assert run.result["cost"]["venue_running"] == 36_600
        version = planner.load(PlanningCycle, cycle).version
        planner.publish_prospectus(cycle, reason="Agreed", actor="tmb.chair",
                                   expected_version=version)  # fmt: skip
        views.catch_up()
        rows, _ = views.query("prospectus", filters={"cycle_id": str(cycle)})
        assert {r["venue_name"] for r in rows if r["venue_kind"] == "online"} == {
            "e-learning (no room)"}  # fmt: skip
    finally:
        views.close()
