import pytest

from domain import (
    BusinessGroup,
    DeliveryCentreProposal,
    InvalidValue,
    PlanningCycle,
    ProposalStatus,
    TransitionRefused,
)


def orpington() -> DeliveryCentreProposal:
    return DeliveryCentreProposal.propose(
        name="Orpington OST centre",
        site="Orpington Police Station",
        rooms=3,
        capacity=16,
        features=["gym", "mats"],
        setup_cost=450_000,
        running_cost_per_day=900,
        earliest_opening="2003-10-01",
        actor="lspu",
    )


def cycle() -> PlanningCycle:
    return PlanningCycle.open(
        name="2003/04", starts_on="2003-04-01", ends_on="2004-03-31", budget=1e6, actor="tmb"
    )


def test_a_group_code_is_its_natural_key_whatever_the_case():
    first = BusinessGroup.register(
        name="Specialist Crime", code="sc", officers=4500, staff=2000, actor="a"
    )
    assert first.code == "SC"
    assert first.id == BusinessGroup.create_id("SC")


def test_a_group_allowance_above_a_working_year_is_refused():
    group = BusinessGroup.register(name="SO", code="SO", officers=3800, staff=900, actor="a")
    with pytest.raises(InvalidValue, match="hours_per_head: must be at most 400"):
        group.set_allowance(hours_per_head=900, reason="r", actor="chair")


def test_negative_headcount_is_refused():
    with pytest.raises(InvalidValue, match="officers: must be at least 0"):
        BusinessGroup.register(name="SO", code="SO", officers=-1, staff=900, actor="a")


def test_a_centre_is_approved_only_after_its_feasibility_study_costs_it():
    centre = orpington()
    with pytest.raises(TransitionRefused, match="before its feasibility study costs it"):
        centre.approve(reason="r", actor="tmb")
    centre.cost(setup_cost=480_000, running_cost_per_day=950, notes="Estates survey", actor="lspu")
    centre.approve(reason="Cheaper than hiring", actor="tmb")
    assert centre.status is ProposalStatus.APPROVED


def test_a_rejected_centre_cannot_be_approved():
    centre = orpington()
    centre.reject(reason="No capital", actor="tmb")
    with pytest.raises(TransitionRefused, match="it was already rejected"):
        centre.approve(reason="r", actor="tmb")


def test_an_empty_draft_cannot_be_published():
    with pytest.raises(TransitionRefused, match="cannot publish an empty draft prospectus"):
        cycle().publish_prospectus(reason="r", actor="tmb")


def test_a_draft_comes_only_from_a_feasible_run():
    plan = cycle()
    plan.record_run(
        run_id="r1",
        inputs_digest="abc",
        settings={},
        status="INFEASIBLE",
        objective=None,
        bound=None,
        allocation={"sessions": []},
        actor="tmb",
    )
    with pytest.raises(TransitionRefused, match="its status is INFEASIBLE"):
        plan.draft_prospectus(run_id="r1", actor="tmb")
    with pytest.raises(InvalidValue, match="run_id: no optimisation run r9"):
        plan.draft_prospectus(run_id="r9", actor="tmb")


def test_a_closed_cycle_takes_no_more_runs():
    plan = cycle()
    plan.close(reason="Year ended", actor="tmb")
    with pytest.raises(TransitionRefused, match="planning cycle 2003/04 is closed"):
        plan.start_run(run_id="r1", settings={}, actor="tmb")


def test_a_run_cut_off_is_marked_interrupted():
    plan = cycle()
    plan.start_run(run_id="r1", settings={"time_limit": 10}, actor="tmb")
    plan.mark_run_interrupted(run_id="r1", reason="server restarted", actor="system")
    assert plan.runs["r1"]["status"] == "INTERRUPTED"
    assert plan.runs_in_progress == {}


def test_a_cycle_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidValue, match="ends_on: must not be before starts_on"):
        PlanningCycle.open(
            name="x", starts_on="2004-01-01", ends_on="2003-01-01", budget=1, actor="a"
        )


def test_a_run_that_names_one_session_twice_is_refused():
    plan = cycle()
    session = {
        "session_id": "s1", "course_code": "GP05", "venue_kind": "facility", "venue_id": "v1",
        "starts_on": "2003-05-06", "ends_on": "2003-05-07", "learners": {"g": 14},
        "needs": {"n": 14},
    }  # fmt: skip
    with pytest.raises(InvalidValue, match=r"allocation.sessions\[1\].session_id: session s1"):
        plan.record_run(run_id="r1", inputs_digest="d", settings={}, status="FEASIBLE",
                        objective=1, bound=1, allocation={"sessions": [session, dict(session)]},
                        actor="tmb")  # fmt: skip
    assert plan.runs == {}
