from uuid import uuid4

import pytest

from domain import InvalidValue, NeedStatus, TrainingNeed, TransitionRefused
from tests.factories import analysis


def identified() -> TrainingNeed:
    return TrainingNeed.identify(
        group_id=uuid4(), title="Officer safety refresher", trigger="new legislation", actor="p"
    )


def analysed(**overrides) -> TrainingNeed:
    need = identified()
    need.record_analysis(actor="lspu", **analysis(**overrides))
    return need


def prioritised() -> TrainingNeed:
    need = analysed()
    need.prioritise(level="Mandated", score=90, reason="law", actor="chair")
    return need


def test_a_need_follows_the_systems_approach_from_identified_to_evaluated():
    need = prioritised()
    need.endorse(reason="in the plan", actor="tmb")
    need.schedule(cycle_id=uuid4(), sessions=["s1"], learners=14, actor="tmb")
    need.record_delivery(attendance=13, actual_cost=4200.0, actor="lspu")
    need.evaluate(level=2, score=80, notes="good", actor="lspu")
    assert need.status is NeedStatus.EVALUATED
    assert [type(e).__name__ for e in need.collect_events()] == [
        "Identified",
        "AnalysisRecorded",
        "Prioritised",
        "Endorsed",
        "Scheduled",
        "Delivered",
        "Evaluated",
    ]


def test_a_need_cannot_be_prioritised_before_its_analysis():
    with pytest.raises(TransitionRefused, match="before its performance needs analysis"):
        identified().prioritise(level="Essential", score=50, reason="r", actor="c")


def test_a_withdrawn_need_cannot_be_endorsed():
    need = prioritised()
    need.withdraw(reason="superseded", actor="chair")
    with pytest.raises(TransitionRefused, match="cannot endorse a training need that is withdrawn"):
        need.endorse(reason="r", actor="tmb")


def test_only_a_prioritised_need_can_be_endorsed_or_rejected():
    with pytest.raises(TransitionRefused, match="it must be prioritised"):
        analysed().endorse(reason="r", actor="tmb")
    with pytest.raises(TransitionRefused, match="it must be prioritised"):
        analysed().reject(reason="r", actor="tmb")


def test_a_rejected_need_keeps_the_reason():
    need = prioritised()
    need.reject(reason="No capacity this year", actor="tmb")
    assert need.status is NeedStatus.REJECTED
    assert need.decision_reason == "No capacity this year"


def test_a_delivered_need_cannot_be_withdrawn():
    need = prioritised()
    need.endorse(reason="r", actor="tmb")
    need.schedule(cycle_id=uuid4(), sessions=["s1"], learners=14, actor="tmb")
    need.record_delivery(attendance=14, actual_cost=1.0, actor="lspu")
    with pytest.raises(
        TransitionRefused, match="cannot withdraw a training need that is delivered"
    ):
        need.withdraw(reason="r", actor="chair")


def test_mandated_priority_needs_a_mandatory_basis():
    need = analysed(mandatory_basis=None)
    with pytest.raises(InvalidValue, match="level: Mandated needs a mandatory basis"):
        need.prioritise(level="Mandated", score=90, reason="r", actor="c")


def test_an_unknown_priority_level_is_refused_naming_the_scale():
    with pytest.raises(InvalidValue, match="level: must be one of: Mandated, Essential, Desirable"):
        analysed().prioritise(level="Urgent", score=90, reason="r", actor="c")


def test_the_analysis_refuses_a_class_whose_maximum_is_below_its_minimum():
    with pytest.raises(InvalidValue, match="class_size_max: must be at least class_size_min"):
        identified().record_analysis(actor="l", **analysis(class_size_min=16, class_size_max=12))


def test_the_analysis_refuses_a_window_that_ends_before_it_starts():
    with pytest.raises(InvalidValue, match="window_end: must not be before window_start"):
        identified().record_analysis(
            actor="l", **analysis(window_start="2003-06-01", window_end="2003-05-01")
        )


def test_the_analysis_refuses_zero_learners():
    with pytest.raises(InvalidValue, match="learners: must be at least 1"):
        identified().record_analysis(actor="l", **analysis(learners=0))


def test_a_decision_needs_a_reason():
    with pytest.raises(InvalidValue, match="reason: must not be blank"):
        prioritised().endorse(reason="  ", actor="tmb")


def test_a_refused_command_records_nothing():
    need = analysed()
    need.collect_events()
    with pytest.raises(InvalidValue):
        need.prioritise(level="Essential", score=101, reason="r", actor="c")
    assert need.collect_events() == []
    assert need.status is NeedStatus.ANALYSED
