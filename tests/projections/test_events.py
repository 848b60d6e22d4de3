import pytest

from projections.events import read_events
from tests.factories import a_facility, a_group


def test_events_are_read_in_order_after_a_position_and_decoded(planner):
    group = a_group(planner)
    a_facility(planner)
    events = read_events(planner)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert events[0]["originator_id"] == str(group)
    assert events[0]["kind"] == "Registered"
    assert all(isinstance(e["state"], dict) for e in events)
    later = read_events(planner, after=events[0]["id"])
    assert [e["id"] for e in later] == [e["id"] for e in events[1:]]
    assert read_events(planner, after=events[-1]["id"]) == []


def test_a_negative_position_or_empty_batch_is_refused(planner):
    with pytest.raises(ValueError, match="after"):
        read_events(planner, after=-1)
    with pytest.raises(ValueError, match="limit"):
        read_events(planner, limit=0)
