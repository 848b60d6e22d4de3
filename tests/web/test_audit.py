"""The auditors' view over HTTP: the events in order with who did what and why, an entity's
trail, the read models as they were at a position or a time, verification of the store, and
the export as JSON Lines."""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from api.http.routers.audit import export_stream
from projections.integrity import events_table
from tests.web.conftest import Api, eventually
from tests.web.journeys import a_group, an_endorsed_need

UNKNOWN = "00000000-0000-0000-0000-000000000000"


def ok(api: Api, path: str, **params: Any) -> Any:
    response = api.get("auditor", path, **params)
    assert response.status_code == 200, response.text
    return response.json()


def events_of(api: Api, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(api, "/api/v1/audit/events", **params)["items"]
    return items


@pytest.fixture
def history(api: Api) -> dict[str, str]:
    """A group registered, then a need identified, analysed, prioritised and endorsed."""
    group = a_group(api)
    return {"group": group, "need": an_endorsed_need(api, group)}


def test_the_events_show_who_did_what_and_why_in_order(api: Api, history: dict[str, str]) -> None:
    everything = ok(api, "/api/v1/audit/events")
    assert everything["total"] == 5
    assert [(e["position"], e["entity_kind"], e["event_type"], e["actor"]) for e in everything["items"]] == [
        (1, "BusinessGroup", "Registered", "lspu.analyst"),
        (2, "TrainingNeed", "Identified", "planner.tp"),
        (3, "TrainingNeed", "AnalysisRecorded", "lspu.analyst"),
        (4, "TrainingNeed", "Prioritised", "AC Territorial Policing"),
        (5, "TrainingNeed", "Endorsed", "tmb.chair"),
    ]  # fmt: skip

    [endorsed] = events_of(api, actor="tmb.chair")
    assert (endorsed["event_type"], endorsed["reason"]) == ("Endorsed", "Mandated training")
    assert endorsed["entity_id"] == history["need"]
    assert [e["position"] for e in events_of(api, entity_kind="TrainingNeed")] == [2, 3, 4, 5]
    assert [e["position"] for e in events_of(api, event_type="Prioritised")] == [4]
    assert [e["position"] for e in events_of(api, after=2, upto=4)] == [3, 4]

    second_page = ok(api, "/api/v1/audit/events", limit=2, offset=2)
    assert second_page["total"] == 5
    assert [e["position"] for e in second_page["items"]] == [3, 4]


def test_since_and_until_bound_the_events_by_the_time_they_were_recorded(
    api: Api, history: dict[str, str]
) -> None:
    third = events_of(api)[2]["at"]  # as the API writes it: ...Z
    assert [e["position"] for e in events_of(api, since=third)] == [3, 4, 5]
    assert [e["position"] for e in events_of(api, until=third)] == [1, 2, 3]
    offset = third.replace("Z", "+00:00")
    assert [e["position"] for e in events_of(api, since=offset, until=offset)] == [3]
    response = api.get("auditor", "/api/v1/audit/events", since="last tuesday")
    assert response.status_code == 422
    assert response.json()["field"] == "query.since"


def test_an_entitys_trail_lists_its_events_in_order(api: Api, history: dict[str, str]) -> None:
    trail = ok(api, f"/api/v1/audit/trail/{history['need']}")
    assert trail["total"] == 4
    assert [(e["version"], e["event_type"]) for e in trail["items"]] == [
        (1, "Identified"), (2, "AnalysisRecorded"), (3, "Prioritised"), (4, "Endorsed"),
    ]  # fmt: skip
    assert trail["items"][2]["reason"] == "Legal duty"
    assert ok(api, f"/api/v1/audit/trail/{history['group']}")["total"] == 1


def test_the_trail_of_an_entity_with_no_event_is_a_404(api: Api) -> None:
    response = api.get("auditor", f"/api/v1/audit/trail/{UNKNOWN}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_as_of_a_position_before_a_change_shows_the_state_before_it(
    api: Api, history: dict[str, str]
) -> None:
    before = ok(api, "/api/v1/audit/as-of", upto=4, views=["needs", "group_time"])
    assert (before["position"], before["head"], before["as_of"]) == (4, 5, None)
    assert [(n["status"], n["last_decision"]) for n in before["needs"]["items"]] == [
        ("prioritised", "Prioritised")
    ]
    assert before["group_time"]["items"][0]["hours_endorsed"] == 0
    assert before["cycles"] is None  # not asked for

    after = ok(api, "/api/v1/audit/as-of", upto=5, views="needs")
    assert [n["status"] for n in after["needs"]["items"]] == ["endorsed"]
    # the live read models are untouched
    live = ok(api, "/api/v1/needs-register")["items"]
    assert [n["status"] for n in live] == ["endorsed"]


def test_as_of_a_time_shows_the_state_at_that_time(api: Api, history: dict[str, str]) -> None:
    analysed_at = events_of(api)[2]["at"]
    state = ok(api, "/api/v1/audit/as-of", at=analysed_at, views=["needs", "audit"], limit=2)
    assert state["position"] == 3
    assert state["as_of"] is not None
    assert [n["status"] for n in state["needs"]["items"]] == ["analysed"]
    assert (state["audit"]["total"], len(state["audit"]["items"])) == (3, 2)  # bounded by limit
    default = ok(api, "/api/v1/audit/as-of", at=analysed_at)
    assert default["needs"] is not None and default["group_time"] is not None


AS_OF_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"at": "2999-01-01T00:00:00Z"}, "query.at"),  # in the future
    ({"at": "the day before yesterday"}, "query.at"),
    ({}, "query.effective_on"),  # no point at all
    ({"effective_on": "2999-01-01"}, "query.effective_on"),  # in the future
    ({"effective_on": "31/03/2003"}, "query.effective_on"),
    ({"at": "2003-06-30", "upto": 1}, "query.at"),  # both
    ({"upto": 99}, "query.upto"),  # beyond the last event
    ({"upto": 1, "views": "seating_plan"}, "query.views[0]"),
]


def test_an_as_of_the_history_cannot_answer_is_a_422_naming_the_parameter(api: Api) -> None:
    a_group(api)
    for params, field in AS_OF_REFUSALS:
        response = api.get("auditor", "/api/v1/audit/as-of", **params)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert (response.json()["field"], bool(response.json()["rule"])) == (field, True), params


def test_verify_answers_ok_on_an_untouched_store_and_names_a_tampered_event(
    api: Api, history: dict[str, str]
) -> None:
    report = ok(api, "/api/v1/audit/verify")
    assert report["ok"] is True
    assert report["events"] == report["sealed"] + report["unsealed"] == 5
    # the background sealer seals the tail shortly after
    report = (
        eventually(lambda: (r := ok(api, "/api/v1/audit/verify"))["unsealed"] == 0 and r) or report
    )
    assert (report["ok"], report["events"], report["sealed"], report["unsealed"]) == (
        True, 5, 5, 0
    )  # fmt: skip
    assert report["problem"] is None

    url = api.client.app.state.stack.settings.database_url  # type: ignore[attr-defined]
    engine = sa.create_engine(url)
    table = events_table(url)
    nid = "notification_id" if engine.dialect.name == "postgresql" else "rowid"
    try:
        with engine.begin() as conn:
            state = conn.execute(sa.text(f"SELECT state FROM {table} WHERE {nid} = 4")).scalar()
            forged = bytes(state).replace(b"Legal duty", b"Legal dutx")
            assert forged != bytes(state)
            conn.execute(sa.text(f"UPDATE {table} SET state = :s WHERE {nid} = 4"), {"s": forged})
    finally:
        engine.dispose()

    tampered = api.get("auditor", "/api/v1/audit/verify")
    assert tampered.status_code == 200  # a finding, not a failed request
    assert (tampered.json()["ok"], tampered.json()["first_bad"]) == (False, 4)
    assert tampered.json()["problem"]


def test_the_export_streams_one_line_per_event_in_order(api: Api, history: dict[str, str]) -> None:
    with api.client.stream(
        "GET", "/api/v1/audit/export", headers={"Authorization": "Bearer demo-lspu"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert [line["position"] for line in lines] == [1, 2, 3, 4, 5]
    assert lines[4]["type"] == "Endorsed"
    assert (lines[4]["actor"], lines[4]["reason"]) == ("tmb.chair", "Mandated training")
    assert lines[4]["entity_id"] == history["need"]


def test_the_export_is_written_a_batch_at_a_time_and_stops_when_the_reader_goes(
    api: Api, history: dict[str, str]
) -> None:
    planner = api.client.app.state.stack.planner  # type: ignore[attr-defined]
    chunks = list(export_stream(planner, batch=2))
    assert [chunk.count(b"\n") for chunk in chunks] == [2, 2, 1]
    assert [UUID(json.loads(line)["entity_id"]) for line in b"".join(chunks).splitlines()][1] == (
        UUID(history["need"])
    )

    abandoned = export_stream(planner, batch=1, depth=1)
    assert next(abandoned).count(b"\n") == 1
    abandoned.close()
    for thread in threading.enumerate():
        if thread.name == "trainplan-export":
            thread.join(timeout=5)
            assert not thread.is_alive()


def test_every_role_may_read_the_audit(api: Api, history: dict[str, str]) -> None:
    for who in ("planner", "chair", "tmb", "lspu", "auditor"):
        assert api.get(who, "/api/v1/audit/verify").status_code == 200
    assert api.client.get("/api/v1/audit/events").status_code == 401
