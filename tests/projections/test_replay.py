"""The auditors' "as of": the read models as they were at three points of a history, by
position and by time; bad points are refused naming the field and change nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from domain import TrainingPlanner
from projections import Projections, UnknownReadModel, open_projections
from projections.replay import ReplayError, parse_time, replay
from tests.projections.history import History, script


@pytest.fixture
def history(planner: TrainingPlanner) -> History:
    return script(planner)


@pytest.fixture
def live(database_url: str, history: History) -> Iterator[Projections]:
    views = open_projections(database_url)
    views.catch_up()
    yield views
    views.close()


def need_status(views: Projections, need_id: object) -> str | None:
    rows, _ = views.query("needs", filters={"need_id": str(need_id)})
    return rows[0]["status"] if rows else None


def cycle_row(views: Projections) -> dict:
    rows, _ = views.query("cycles")
    return rows[0] if rows else {}


def test_the_read_models_as_they_were_after_three_points_of_the_history(
    database_url: str, history: History, live: Projections
) -> None:
    points = history.positions
    expected = {
        "needs decided": ("endorsed", None, 0),
        "drafted": ("endorsed", "open", 2),
        "published": ("scheduled", "published", 2),
    }
    for point, (status, cycle_status, draft) in expected.items():
        result = replay(database_url, upto=points[point])
        try:
            assert result.position == points[point]
            assert need_status(result.projections, history.need) == status, point
            assert cycle_row(result.projections).get("status") == cycle_status, point
            assert cycle_row(result.projections).get("draft_sessions", 0) == draft, point
        finally:
            result.close()
    assert need_status(live, history.need) == "evaluated"  # the live models are untouched


def test_as_of_a_time_gives_the_state_at_the_last_event_recorded_by_then(
    database_url: str, history: History, live: Projections
) -> None:
    audit, _ = live.query("audit", limit=1000)
    at = {row["position"]: row["at"] for row in audit}
    for point in ("needs decided", "drafted", "published"):
        position = history.positions[point]
        result = replay(database_url, as_of=at[position])
        try:
            assert result.position == position
            assert result.as_of is not None
        finally:
            result.close()
    before_anything = replay(database_url, as_of="2003-01-01")
    try:
        assert before_anything.position == 0
        assert before_anything.projections.query("needs")[1] == 0
    finally:
        before_anything.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"as_of": "2999-01-01T00:00:00Z"}, "as_of: 2999-01-01T00:00:00+00:00 is in the future"),
        ({"as_of": "last tuesday"}, "as_of: 'last tuesday' is not an ISO 8601 date or time"),
        ({"upto": 10_000}, "upto: is beyond the last event of the store"),
        ({"upto": -1}, "upto: must be 0 or more"),
        ({}, "give exactly one of"),
        ({"upto": 3, "as_of": "2003-01-01"}, "give exactly one of"),
    ],
)
def test_a_bad_point_is_refused_naming_the_field_and_changes_nothing(
    database_url: str, live: Projections, arguments: dict, message: str
) -> None:
    before = live.digests()
    with pytest.raises(ReplayError, match=re.escape(message)):
        replay(database_url, **arguments)
    assert live.digests() == before


def test_an_unknown_read_model_is_refused_before_any_work(
    database_url: str, live: Projections
) -> None:
    with pytest.raises(UnknownReadModel, match="'gossip' does not exist"):
        replay(database_url, upto=3, names=["gossip"])


def test_a_naive_time_is_utc_and_a_day_means_its_end() -> None:
    assert parse_time("2003-06-30").isoformat() == "2003-06-30T23:59:59.999999+00:00"
    assert parse_time("2003-06-30T17:00:00").isoformat() == "2003-06-30T17:00:00+00:00"
