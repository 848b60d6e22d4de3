"""An aggregate's events carry the business date they take effect; a step cannot take effect
before the aggregate's last step nor after the day it is recorded."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain import InvalidValue, TrainingNeed


def a_need(day: str = "2002-10-14") -> TrainingNeed:
    return TrainingNeed.identify(
        group_id=uuid4(), title="Officer safety", trigger="incident", actor="p", effective_on=day
    )


def test_every_event_carries_the_date_its_command_gave_and_the_time_it_was_made():
    need = a_need()
    need.take_effect("2002-11-01")
    need.withdraw(reason="Merged", actor="p")
    identified, withdrawn = need.collect_events()
    assert (identified.effective_on, withdrawn.effective_on) == ("2002-10-14", "2002-11-01")
    assert withdrawn.timestamp.date() == datetime.now(UTC).date()
    assert (need.effective_on, need.last_step) == ("2002-11-01", "Withdrawn")


def test_a_step_given_no_date_takes_effect_the_day_it_is_made():
    need = a_need()
    need.collect_events()
    need.withdraw(reason="Merged", actor="p")
    (withdrawn,) = need.collect_events()
    assert withdrawn.effective_on == withdrawn.timestamp.astimezone(UTC).date().isoformat()


def test_a_step_before_the_last_one_or_after_today_is_refused():
    need = a_need()
    with pytest.raises(InvalidValue, match=r"before 2002-10-14, when the last step of training"):
        need.take_effect("2002-10-13")
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    with pytest.raises(InvalidValue, match="in the future of its recording"):
        need.take_effect(tomorrow)
    need.take_effect("2002-10-14")  # the same day is fine
