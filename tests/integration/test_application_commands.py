"""The application's commands against the real stores (SQLite file and PostgreSQL)."""

from uuid import uuid4

import pytest

from domain import (
    DuplicateKey,
    Facility,
    InvalidValue,
    NeedStatus,
    NotFound,
    OutsideScope,
    PlanningCycle,
    TrainingNeed,
    TrainingPlanner,
    TransitionRefused,
    VersionConflict,
    store_env,
)
from tests.factories import (
    a_cycle,
    a_facility,
    a_group,
    a_session,
    an_endorsed_need,
    analysis,
)


def test_a_need_is_carried_from_identified_to_endorsed(planner: TrainingPlanner):
    group_id = a_group(planner)
    need_id = an_endorsed_need(planner, group_id)
    need = planner.load(TrainingNeed, need_id)
    assert need.status is NeedStatus.ENDORSED
    assert need.analysis["course_code"] == "GP05"
    assert need.version == 4


def test_registering_a_group_code_twice_is_a_clear_error(planner: TrainingPlanner):
    a_group(planner, code="SO")
    with pytest.raises(DuplicateKey, match="business group code 'SO' is already registered"):
        a_group(planner, code="so", name="Another")


def test_a_facility_name_is_unique_at_its_site_but_not_across_sites(planner: TrainingPlanner):
    a_facility(planner, "Room 12", site="Hendon")
    a_facility(planner, "Room 12", site="Gravesend")
    with pytest.raises(DuplicateKey, match=r"(?i)room 12 at hendon"):
        a_facility(planner, "room 12", site="hendon")


def test_a_cycle_name_is_unique(planner: TrainingPlanner):
    a_cycle(planner)
    with pytest.raises(DuplicateKey, match="planning cycle '2003/04'"):
        a_cycle(planner)


def test_an_unknown_id_is_not_found(planner: TrainingPlanner):
    with pytest.raises(NotFound, match="training need"):
        planner.endorse_need(uuid4(), reason="r", actor="tmb")


def test_a_need_for_an_unknown_group_is_refused(planner: TrainingPlanner):
    with pytest.raises(NotFound, match="business group"):
        planner.identify_need(group_id=uuid4(), title="x", trigger="incident", actor="p")


def test_a_scoped_caller_acts_only_for_their_own_group_and_a_refusal_saves_nothing(
    planner: TrainingPlanner,
):
    tp, so = a_group(planner, code="TP"), a_group(planner, code="SO", name="Specialist Ops")
    with pytest.raises(OutsideScope, match=r"planner\.so may not identify a training need"):
        planner.identify_need(
            group_id=tp, title="x", trigger="incident", actor="planner.so", acting_for={so}
        )
    need_id = planner.identify_need(
        group_id=tp, title="Officer safety", trigger="incident", actor="planner.tp",
        acting_for={tp},
    )  # fmt: skip
    planner.record_analysis(need_id, actor="lspu.analyst", **analysis())
    before = planner.recorder.max_notification_id()
    with pytest.raises(OutsideScope, match=r"so\.chair may not prioritise a training need for"):
        planner.prioritise_need(need_id, level="Essential", score=50, reason="r",
                                actor="so.chair", acting_for={so})  # fmt: skip
    with pytest.raises(OutsideScope, match="may not withdraw a training need"):
        planner.withdraw_need(need_id, reason="r", actor="planner.so", acting_for={so})
    with pytest.raises(OutsideScope):
        planner.set_allowance(so, hours_per_head=40, reason="r", actor="tp.chair", acting_for={tp})
    assert planner.recorder.max_notification_id() == before
    planner.prioritise_need(need_id, level="Essential", score=50, reason="r", actor="tp.chair",
                            expected_version=2, acting_for={tp})  # fmt: skip
    assert planner.load(TrainingNeed, need_id).priority_level == "Essential"


def test_the_scope_is_checked_before_the_version_and_a_central_venue_is_no_groups(
    planner: TrainingPlanner,
):
    tp, so = a_group(planner, code="TP"), a_group(planner, code="SO", name="Specialist Ops")
    need_id = an_endorsed_need(planner, tp)
    with pytest.raises(OutsideScope):  # not VersionConflict: the caller may not act at all
        planner.withdraw_need(need_id, reason="r", actor="planner.so", expected_version=1,
                              acting_for={so})  # fmt: skip
    central = a_facility(planner)  # owned by no group: LSPU's, not a planner's
    schedule = {"period_start": "2003-05-01", "period_end": "2003-05-31", "entries": []}
    with pytest.raises(OutsideScope, match="submit the schedule of a facility"):
        planner.submit_schedule(central, actor="planner.tp", acting_for={tp}, **schedule)
    assert planner.submit_schedule(central, actor="lspu.analyst", acting_for=None, **schedule) == 2


def test_a_stale_version_is_a_conflict_and_saves_nothing(planner: TrainingPlanner):
    group_id = a_group(planner)
    planner.set_allowance(
        group_id, hours_per_head=36, reason="r", actor="chair", expected_version=1
    )
    with pytest.raises(VersionConflict, match="expected version 1, stored version is 2"):
        planner.set_allowance(
            group_id, hours_per_head=50, reason="r", actor="chair", expected_version=1
        )
    assert (
        planner.load(type(planner.repository.get(group_id)), group_id).allowance_hours_per_head
        == 36
    )
    assert len(list(planner.events.get(group_id))) == 2


def test_two_writers_from_the_same_version_one_wins_and_the_other_gets_a_conflict(
    database_url: str,
):
    first = TrainingPlanner(env=store_env(database_url))
    second = TrainingPlanner(env=store_env(database_url))
    try:
        group_id = a_group(first)
        need_id = first.identify_need(
            group_id=group_id, title="First aid", trigger="incident", actor="p"
        )
        # Both load version 1 before either saves: the store's (id, version) rule decides.
        mine = first.load(TrainingNeed, need_id, expected_version=1)
        theirs = second.load(TrainingNeed, need_id, expected_version=1)
        mine.withdraw(reason="Duplicate of another need", actor="chair")
        theirs.withdraw(reason="No longer needed", actor="other.chair")
        first.store(mine)
        with pytest.raises(VersionConflict):
            second.store(theirs)
        stored = list(first.events.get(need_id))
        assert [type(e).__name__ for e in stored] == ["Identified", "Withdrawn"]
        assert stored[-1].reason == "Duplicate of another need"
    finally:
        first.close()
        second.close()


def test_a_refused_rule_changes_nothing_in_the_store(planner: TrainingPlanner):
    group_id = a_group(planner)
    need_id = planner.identify_need(group_id=group_id, title="x", trigger="incident", actor="p")
    with pytest.raises(TransitionRefused):
        planner.prioritise_need(need_id, level="Essential", score=10, reason="r", actor="c")
    assert len(list(planner.events.get(need_id))) == 1


def test_publishing_confirms_facility_bookings_and_schedules_the_needs(planner: TrainingPlanner):
    group_id = a_group(planner)
    need_id = an_endorsed_need(planner, group_id)
    gym_id = a_facility(planner)
    cycle_id = a_cycle(planner)
    planner.record_run(
        cycle_id,
        run_id="run-1",
        inputs_digest="d1",
        settings={"time_limit": 5},
        status="OPTIMAL",
        objective=1.0,
        bound=1.0,
        actor="tmb",
        allocation={"sessions": [a_session("S1", gym_id, need_id, group_id)]},
    )
    planner.draft_prospectus(cycle_id, run_id="run-1", actor="tmb")
    planner.publish_prospectus(cycle_id, reason="TMB approved the plan", actor="tmb")
    gym = planner.load(Facility, gym_id)
    assert [(s["session_id"], s["starts_on"]) for s in gym.sessions] == [("S1", "2003-05-06")]
    need = planner.load(TrainingNeed, need_id)
    assert need.status is NeedStatus.SCHEDULED
    assert need.scheduled_in[0]["learners"] == 14
    assert planner.load(PlanningCycle, cycle_id).prospectus_edition == 1


def test_publishing_a_session_on_a_booked_day_is_refused_and_nothing_is_confirmed(
    planner: TrainingPlanner,
):
    group_id = a_group(planner)
    need_id = an_endorsed_need(planner, group_id)
    gym_id = a_facility(planner)
    planner.submit_schedule(
        gym_id,
        period_start="2003-05-01",
        period_end="2003-05-31",
        actor="planner",
        entries=[
            {
                "starts_on": "2003-05-07",
                "ends_on": "2003-05-07",
                "kind": "booking",
                "purpose": "Recruits",
            }
        ],
    )
    cycle_id = a_cycle(planner)
    planner.record_run(
        cycle_id,
        run_id="run-1",
        inputs_digest="d1",
        settings={},
        status="FEASIBLE",
        objective=1.0,
        bound=2.0,
        actor="tmb",
        allocation={"sessions": [a_session("S1", gym_id, need_id, group_id)]},
    )
    planner.draft_prospectus(cycle_id, run_id="run-1", actor="tmb")
    with pytest.raises(InvalidValue, match="overlaps other usage on 2003-05-07"):
        planner.publish_prospectus(cycle_id, reason="r", actor="tmb")
    assert planner.load(Facility, gym_id).sessions == []
    assert planner.load(TrainingNeed, need_id).status is NeedStatus.ENDORSED
    assert planner.load(PlanningCycle, cycle_id).prospectus_edition == 0
