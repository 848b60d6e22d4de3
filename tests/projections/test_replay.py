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
        result = replay(database_url, recorded_at=at[position])
        try:
            assert result.position == position
            assert result.recorded_at is not None
        finally:
            result.close()
    before_anything = replay(database_url, recorded_at="2003-01-01")
    try:
        assert before_anything.position == 0
        assert before_anything.projections.query("needs")[1] == 0
    finally:
        before_anything.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"recorded_at": "2999-01-01T00:00:00Z"},
            "recorded_at: 2999-01-01T00:00:00+00:00 is in the future",
        ),
        (
            {"recorded_at": "last tuesday"},
            "recorded_at: 'last tuesday' is not an ISO 8601 date or time",
        ),
        ({"effective_on": "2999-01-01"}, "as_of: 2999-01-01 is in the future"),
        ({"effective_on": "31/03/2003"}, "as_of: '31/03/2003' is not a date as YYYY-MM-DD"),
        ({"upto": 10_000}, "upto: is beyond the last event of the store"),
        ({"upto": -1}, "upto: must be 0 or more"),
        ({}, "give --as-of DATE, --recorded-at TIMESTAMP or --upto ID"),
        ({"upto": 3, "recorded_at": "2003-01-01"}, "upto: give either --recorded-at or --upto"),
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


def test_as_effective_on_a_date_counts_each_event_from_its_business_date_not_its_recording(
    database_url: str, planner: TrainingPlanner
) -> None:
    from tests.factories import analysis

    tp = planner.register_group(name="Territorial Policing", code="TP", officers=21449,
                                staff=5757, actor="lspu", effective_on="2002-09-02")  # fmt: skip
    first = planner.identify_need(group_id=tp, title="Officer safety", trigger="incident",
                                  actor="tp.planner", effective_on="2002-10-14")  # fmt: skip
    planner.record_analysis(first, actor="lspu", effective_on="2003-02-03", **analysis())
    # recorded after the analysis above, but it took effect months before it (back-dated)
    second = planner.identify_need(group_id=tp, title="First aid", trigger="incident",
                                   actor="tp.planner", effective_on="2002-11-05")  # fmt: skip
    planner.withdraw_need(second, reason="Merged", actor="tp.planner")  # effective today

    def statuses(**point) -> tuple[dict[str, str], int, int]:
        result = replay(database_url, **point)
        try:
            rows, _ = result.projections.query("needs")
            return ({r["title"]: r["status"] for r in rows}, result.events_applied,
                    result.events_total)  # fmt: skip
        finally:
            result.close()

    assert statuses(effective_on="2002-10-31") == ({"Officer safety": "identified"}, 2, 5)
    assert statuses(effective_on="2003-01-01") == (
        {"Officer safety": "identified", "First aid": "identified"}, 3, 5)  # fmt: skip
    assert statuses(effective_on="2003-02-03") == (
        {"Officer safety": "analysed", "First aid": "identified"}, 4, 5)  # fmt: skip
    assert statuses(upto=3) == ({"Officer safety": "analysed"}, 3, 5)  # as recorded: no First aid
    # both clocks: what the store held after event 3 about what had taken effect by 2003-01-01
    assert statuses(upto=3, effective_on="2003-01-01") == ({"Officer safety": "identified"}, 2, 5)

    result = replay(database_url, effective_on="2003-01-01", names=["needs", "audit"])
    try:
        assert result.as_dict()["read_models"] == {"needs": 2, "audit": 3}
        assert result.as_dict()["tables"] == {"needs_register": 2, "audit_trail": 3}
    finally:
        result.close()
