"""Each read model's contents after a scripted history, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from domain import TrainingPlanner
from projections import Projections, QueryError, open_projections
from projections.queries import facility_calendar
from tests.projections.history import History, script


@pytest.fixture
def projections(planner: TrainingPlanner, database_url: str) -> Iterator[Projections]:
    views = open_projections(database_url)
    yield views
    views.close()


@pytest.fixture
def history(planner: TrainingPlanner, projections: Projections) -> History:
    made = script(planner)
    projections.catch_up()
    return made


def rows(projections: Projections, name: str, **filters: object) -> list[dict]:
    found, total = projections.query(name, filters=filters, limit=1000)
    assert total == len(found)
    return found


def test_the_needs_register_shows_each_need_with_its_group_status_priority_and_last_decision(
    projections: Projections, history: History
) -> None:
    needs = {r["title"]: r for r in rows(projections, "needs")}
    assert set(needs) == {"Officer safety refresher", "Advanced rope access", "Old radio system"}
    done = needs["Officer safety refresher"]
    assert (done["group_code"], done["status"], done["level"], done["score"]) == (
        "TP", "evaluated", "Mandated", 95,
    )  # fmt: skip
    assert done["scheduled_learners"] == 28 and done["attendance"] == 26
    assert done["required_features"] == ["gym", "mats"]
    assert done["last_decision"] == "Endorsed" and done["last_decision_by"] == "tmb.secretary"
    rejected = needs["Advanced rope access"]
    assert (rejected["status"], rejected["last_decision_reason"]) == (
        "rejected",
        "No budget this year",
    )
    assert needs["Old radio system"]["status"] == "withdrawn"
    assert [r["title"] for r in rows(projections, "needs", group_code="SO", status="rejected")] == [
        "Advanced rope access"
    ]


def test_the_facility_calendar_lists_usage_and_confirmed_sessions_by_date(
    projections: Projections, history: History
) -> None:
    calendar = rows(projections, "facility_calendar", facility_id=str(history.gym))
    assert [(e["starts_on"], e["kind"], e["status"]) for e in calendar] == [
        ("2003-05-05", "closure", "submitted"),
        ("2003-05-06", "session", "confirmed"),
        ("2003-05-12", "booking", "submitted"),
        ("2003-05-20", "session", "confirmed"),
    ]
    facility = rows(projections, "facilities")[0]
    assert (facility["bookings"], facility["confirmed_sessions"], facility["status"]) == (
        1, 2, "in service",
    )  # fmt: skip


def test_utilisation_counts_room_hours_against_an_eight_hour_day_per_week(
    projections: Projections, history: History
) -> None:
    weeks = {r["week"]: r for r in rows(projections, "utilisation", facility_id=str(history.gym))}
    # week of 5 May: closed Monday (8 h), sessions Tuesday and Wednesday (16 h) of 32 h open
    assert weeks["2003-05-05"]["closed_hours"] == 8
    assert weeks["2003-05-05"]["used_hours"] == 16
    assert weeks["2003-05-05"]["utilisation"] == 0.5
    assert weeks["2003-05-12"]["booked_hours"] == 16


def test_a_draft_session_shows_as_tentative_in_the_calendar_until_it_is_confirmed(
    planner: TrainingPlanner, projections: Projections, history: History
) -> None:
    planner.start_run(history.cycle, run_id="r2", settings={}, actor="tmb.chair")
    from tests.factories import a_session

    planner.record_run(
        history.cycle, run_id="r2", inputs_digest="def", settings={}, status="FEASIBLE",
        objective=1.0, bound=1.0, actor="tmb.chair",
        allocation={"sessions": [a_session("s9", history.gym, history.need, history.tp,
                                           starts_on="2003-05-27", ends_on="2003-05-28")]},
    )  # fmt: skip
    planner.draft_prospectus(history.cycle, run_id="r2", actor="tmb.chair")
    projections.catch_up()
    entries = facility_calendar(projections, str(history.gym))
    assert [(e["session_id"], e["status"]) for e in entries if e["kind"] == "session"] == [
        ("s1", "confirmed"), ("s2", "confirmed"), ("s9", "tentative"),
    ]  # fmt: skip


def test_group_training_time_sums_learner_hours_per_head_against_the_allowance(
    projections: Projections, history: History
) -> None:
    tp = rows(projections, "group_time", code="TP")[0]
    assert tp["allowance_hours_per_head"] == 40
    assert tp["hours_demanded"] == 120 * 2 * 8
    assert tp["hours_endorsed"] == 120 * 2 * 8
    assert tp["hours_scheduled"] == 28 * 2 * 8
    assert tp["hours_delivered"] == 26 * 2 * 8
    assert tp["hours_endorsed_per_head"] == round(1920 / (21449 + 5757), 3)
    so = rows(projections, "group_time", code="SO")[0]
    assert so["needs"] == 2 and so["hours_endorsed"] == 0  # one rejected, one withdrawn


def test_centre_proposals_show_their_costing_and_status(
    projections: Projections, history: History
) -> None:
    centre = rows(projections, "centres")[0]
    assert (centre["status"], centre["setup_cost"], centre["running_cost_per_day"]) == (
        "costed", 1_350_000, 950,
    )  # fmt: skip
    assert centre["costing_notes"] == "Feasibility study"


def test_the_cycle_shows_its_runs_and_its_prospectus_as_sessions_with_cost(
    projections: Projections, history: History
) -> None:
    cycle = rows(projections, "cycles")[0]
    assert (cycle["status"], cycle["edition"], cycle["runs"], cycle["published_sessions"]) == (
        "published", 1, 1, 2,
    )  # fmt: skip
    run = rows(projections, "runs", cycle_id=str(history.cycle))[0]
    assert (run["state"], run["status"], run["needs_partly_met"], run["gap"]) == (
        "recorded", "FEASIBLE", 1, 0.5,
    )  # fmt: skip
    published = rows(projections, "prospectus", cycle_id=str(history.cycle), edition="published")
    assert [(s["session_id"], s["starts_on"]) for s in published] == [
        ("s1", "2003-05-06"), ("s2", "2003-05-20"),
    ]  # fmt: skip
    s1 = published[0]
    assert (s1["groups"], s1["venue_name"], s1["places"], s1["days"]) == ("TP", "Gym 1", 14, 2)
    assert s1["cost"] == 2 * (350 + 2 * 460)  # venue days + trainer days at the cycle's rate
    assert s1["pinned"] is True


def test_cost_lines_show_plan_and_actual_per_course_and_group_with_abstraction_apart(
    projections: Projections, history: History
) -> None:
    line = rows(projections, "costs", cycle_id=str(history.cycle))[0]
    planned = 2 * 2 * (350 + 2 * 460)
    assert (line["course_code"], line["group_code"], line["planned_places"]) == ("GP05", "TP", 28)
    assert line["planned_cost"] == planned
    assert (line["actual_cost"], line["variance"]) == (3000, 3000 - planned)
    assert line["planned_abstraction_cost"] == 28 * 2 * 180
    assert line["actual_abstraction_cost"] == 26 * 2 * 180


def test_the_audit_trail_lists_every_event_in_order_with_actor_reason_and_summary(
    planner: TrainingPlanner, projections: Projections, history: History
) -> None:
    trail = rows(projections, "audit", entity_id=str(history.rejected))
    assert [r["event_type"] for r in trail] == ["Identified", "AnalysisRecorded", "Prioritised",
                                                "Rejected"]  # fmt: skip
    assert (trail[-1]["actor"], trail[-1]["reason"]) == ("tmb.chair", "No budget this year")
    assert trail[2]["summary"] == "TrainingNeed Prioritised: level=Optional; score=10"
    everything, total = projections.query("audit", limit=1)
    assert total == planner.recorder.max_notification_id()
    assert everything[0]["position"] == 1


def test_a_query_with_an_unknown_filter_or_a_bad_limit_is_refused_naming_the_field(
    projections: Projections, history: History
) -> None:
    with pytest.raises(QueryError, match="colour: not a filter of needs"):
        projections.query("needs", filters={"colour": "red"})
    with pytest.raises(QueryError, match="limit: must be from 1 to 1000"):
        projections.query("needs", limit=0)
    with pytest.raises(QueryError, match="name: unknown read model"):
        projections.query("gossip")


def test_the_optimisers_input_comes_from_the_read_models(
    planner: TrainingPlanner, projections: Projections, history: History
) -> None:
    from planning.adapter import build_problem
    from tests.factories import an_endorsed_need

    an_endorsed_need(planner, history.so, course_code="FA1", learners=40)
    projections.catch_up()
    problem = build_problem(projections.problem_source(), history.cycle)
    assert [(n.course_code, n.learners) for n in problem.needs] == [("FA1", 40)]
    assert [v.name for v in problem.venues] == ["Gym 1"]
    assert problem.budget == 2_000_000
    assert {g.code: g.allowance_hours_per_head for g in problem.groups}["TP"] == 40
    assert [s.session_id for s in problem.previous] == ["s1", "s2"]


def test_a_read_model_made_by_an_earlier_version_starts_again_and_catches_up(
    projections: Projections, history: History, database_url: str
) -> None:
    before = projections.digests()
    with projections.engine.begin() as conn:  # an earlier version had no running cost column
        conn.execute(sa.text("ALTER TABLE facility_register DROP COLUMN running_cost_per_year"))
    projections.close()

    upgraded = open_projections(database_url)
    try:
        assert upgraded.positions()["facilities"] == 0  # it starts again from the first event
        assert upgraded.positions()["needs"] > 0  # the others keep their place
        upgraded.catch_up()
        assert upgraded.digests() == before
        assert {r["running_cost_per_year"] for r in rows(upgraded, "facilities")} == {0.0}
    finally:
        upgraded.close()
