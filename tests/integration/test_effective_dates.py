"""Every event carries the time the store recorded it and the business date it takes effect
(`effective_on`), given by the command; the commands refuse a date in the future of the
recording or before the facts it depends on, and change nothing then."""

import json
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from domain import InvalidValue, PlanningCycle, TrainingNeed, TrainingPlanner
from tests.factories import a_facility, a_group, a_session, analysis


def stored_states(planner: TrainingPlanner, aggregate_id) -> list[dict]:
    return [json.loads(e.state) for e in planner.recorder.select_events(aggregate_id)]


def a_need_identified_on(planner: TrainingPlanner, day: str):
    group_id = a_group(planner, effective_on="2002-09-01")
    need_id = planner.identify_need(
        group_id=group_id,
        title="Officer safety refresher",
        trigger="new legislation",
        actor="tp.planner",
        effective_on=day,
    )
    return group_id, need_id


def test_a_step_given_no_date_takes_effect_on_the_day_it_is_recorded(planner: TrainingPlanner):
    group_id = a_group(planner)
    (state,) = stored_states(planner, group_id)
    recorded = datetime.fromisoformat(state["timestamp"]["_data_"])
    assert state["effective_on"] == recorded.astimezone(UTC).date().isoformat()


def test_a_back_dated_lifecycle_keeps_both_dates_on_every_event(planner: TrainingPlanner):
    _, need_id = a_need_identified_on(planner, "2002-10-14")
    planner.record_analysis(need_id, actor="lspu", effective_on="2002-11-20", **analysis())
    planner.prioritise_need(
        need_id, level="Mandated", score=95, reason="HSWA", actor="tp.chair",
        effective_on=date(2003, 1, 15),
    )  # fmt: skip
    states = stored_states(planner, need_id)
    assert [s["effective_on"] for s in states] == ["2002-10-14", "2002-11-20", "2003-01-15"]
    today = datetime.now(UTC).date().isoformat()
    assert all(s["timestamp"]["_data_"][:10] == today for s in states)
    assert planner.load(TrainingNeed, need_id).effective_on == "2003-01-15"


def test_prioritising_effective_before_the_analysis_is_refused_and_nothing_is_stored(
    planner: TrainingPlanner,
):
    _, need_id = a_need_identified_on(planner, "2002-10-14")
    planner.record_analysis(need_id, actor="lspu", effective_on="2002-11-20", **analysis())
    with pytest.raises(InvalidValue) as refused:
        planner.prioritise_need(
            need_id, level="Mandated", score=95, reason="HSWA", actor="tp.chair",
            effective_on="2002-11-01",
        )  # fmt: skip
    assert refused.value.field == "effective_on"
    assert "2002-11-01 is before 2002-11-20" in refused.value.rule
    assert "analysis recorded" in refused.value.rule
    assert "before the facts it depends on" in refused.value.rule
    assert len(stored_states(planner, need_id)) == 2


def test_a_date_in_the_future_of_the_recording_is_refused(planner: TrainingPlanner):
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidValue, match=r"effective_on: .* after .*in the future") as refused:
        a_group(planner, effective_on=tomorrow)
    assert refused.value.field == "effective_on"
    assert planner.recorder.max_notification_id() in (None, 0)


def test_a_date_that_is_not_a_date_is_refused_naming_the_field(planner: TrainingPlanner):
    with pytest.raises(InvalidValue, match="effective_on: must be a date as YYYY-MM-DD"):
        a_group(planner, effective_on="31/03/2003")


def test_a_need_cannot_take_effect_before_its_group_was_registered(planner: TrainingPlanner):
    with pytest.raises(InvalidValue, match="before 2002-09-01, when its business group's"):
        a_need_identified_on(planner, "2002-08-31")


def test_publishing_effective_before_the_draft_it_publishes_is_refused(planner: TrainingPlanner):
    group_id = a_group(planner, effective_on="2002-09-01")
    need_id = planner.identify_need(group_id=group_id, title="OST", trigger="incident",
                                    actor="p", effective_on="2002-10-01")  # fmt: skip
    planner.record_analysis(need_id, actor="lspu", effective_on="2002-11-01", **analysis())
    planner.prioritise_need(need_id, level="Mandated", score=95, reason="HSWA", actor="c",
                            effective_on="2003-01-10")  # fmt: skip
    planner.endorse_need(need_id, reason="Mandated", actor="tmb", effective_on="2003-02-01")
    gym_id = a_facility(planner, effective_on="2002-09-01")
    cycle_id = planner.open_cycle(name="2003/04", starts_on="2003-04-01", ends_on="2004-03-31",
                                  budget=2e6, actor="tmb", effective_on="2003-01-06")  # fmt: skip
    planner.record_run(
        cycle_id, run_id="run-1", inputs_digest="d", settings={}, status="OPTIMAL",
        objective=1.0, bound=1.0, actor="tmb", effective_on="2003-06-16",
        allocation={"sessions": [a_session("S1", gym_id, need_id, group_id)]},
    )  # fmt: skip
    planner.draft_prospectus(cycle_id, run_id="run-1", actor="tmb", effective_on="2003-06-16")
    with pytest.raises(InvalidValue, match="before 2003-06-16, when the last step of planning"):
        planner.publish_prospectus(cycle_id, reason="r", actor="tmb", effective_on="2003-06-01")
    assert planner.load(PlanningCycle, cycle_id).prospectus_edition == 0
    planner.publish_prospectus(cycle_id, reason="r", actor="tmb", effective_on="2003-06-30")
    for aggregate_id in (cycle_id, gym_id, need_id):  # one date across the atomic write
        assert stored_states(planner, aggregate_id)[-1]["effective_on"] == "2003-06-30"


def test_an_event_stored_before_effective_dates_existed_takes_effect_when_it_was_recorded(
    planner: TrainingPlanner,
):
    group_id = a_group(planner, effective_on="2002-09-01")
    need_id = uuid4()
    old_state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2002-10-03T09:00:00+00:00"},
        "originator_topic": "domain.needs:TrainingNeed",
        "group_id": {"_type_": "uuid_hex", "_data_": group_id.hex},
        "title": "Custody refresher",
        "trigger": "incident",
        "description": "",
        "actor": "tp.planner",
    }
    planner.recorder.insert_events([StoredEvent(
        originator_id=need_id, originator_version=1,
        topic="domain.needs:TrainingNeed.Identified", state=json.dumps(old_state).encode(),
    )])  # fmt: skip
    need = planner.load(TrainingNeed, need_id)
    assert (need.title, need.effective_on) == ("Custody refresher", "2002-10-03")
    with pytest.raises(InvalidValue, match="before 2002-10-03"):
        planner.withdraw_need(need_id, reason="r", actor="p", effective_on="2002-10-02")
