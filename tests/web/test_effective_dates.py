"""Over HTTP, a write may say the business date it takes effect (`effective_on`); the audit
events show it beside the store's own recording time, and a date the rules refuse is a 422
naming the field and the rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.web.conftest import Api
from tests.web.journeys import ANALYSIS


def test_a_back_dated_write_shows_both_dates_in_the_audit_events(api: Api) -> None:
    group = api.post("lspu", "/api/v1/groups", {"name": "Territorial Policing", "code": "TP",
                     "officers": 21449, "staff": 5757, "effective_on": "2002-09-02"})  # fmt: skip
    assert group.status_code == 201, group.text
    need = api.post("planner", "/api/v1/needs", {"group_id": group.json()["id"],
                    "title": "Officer safety", "trigger": "new legislation",
                    "effective_on": "2002-10-14"})  # fmt: skip
    assert need.status_code == 201, need.text
    need_id = need.json()["id"]
    analysed = api.post("lspu", f"/api/v1/needs/{need_id}/analysis",
                        {**ANALYSIS, "effective_on": "2002-11-20"}, version=1)  # fmt: skip
    assert analysed.status_code == 200, analysed.text

    events = api.get("auditor", "/api/v1/audit/events").json()["items"]
    today = datetime.now(UTC).date()
    assert [(e["event_type"], e["effective_on"]) for e in events] == [
        ("Registered", "2002-09-02"), ("Identified", "2002-10-14"),
        ("AnalysisRecorded", "2002-11-20"),
    ]  # fmt: skip
    assert all(e["at"][:10] == today.isoformat() for e in events)
    assert events[0]["days_back"] == (today - datetime(2002, 9, 2).date()).days
    back_dated = api.get("auditor", "/api/v1/audit/events", back_dated_by=30).json()
    assert back_dated["total"] == 3
    autumn = api.get("auditor", "/api/v1/audit/events", effective_from="2002-10-01",
                     effective_to="2002-10-31").json()  # fmt: skip
    assert [e["event_type"] for e in autumn["items"]] == ["Identified"]

    as_of = api.get("auditor", "/api/v1/audit/as-of", effective_on="2002-10-31", views="needs")
    assert as_of.status_code == 200, as_of.text
    state = as_of.json()
    assert (state["effective_on"], state["events_applied"], state["events_total"]) == (
        "2002-10-31", 2, 3)  # fmt: skip
    assert [n["status"] for n in state["needs"]["items"]] == ["identified"]


def test_a_date_the_rules_refuse_is_a_422_naming_effective_on_and_changes_nothing(
    api: Api,
) -> None:
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    future = api.post("lspu", "/api/v1/groups", {"name": "Territorial Policing", "code": "TP",
                      "officers": 1, "staff": 1, "effective_on": tomorrow})  # fmt: skip
    assert future.status_code == 422, future.text
    assert "effective_on" in future.json()["field"]
    assert "in the future of its recording" in future.json()["rule"]
    garbled = api.post("lspu", "/api/v1/groups", {"name": "Territorial Policing", "code": "TP",
                       "officers": 1, "staff": 1, "effective_on": "31/03/2003"})  # fmt: skip
    assert garbled.status_code == 422 and "effective_on" in garbled.json()["field"]

    group = api.post("lspu", "/api/v1/groups", {"name": "Territorial Policing", "code": "TP",
                     "officers": 1, "staff": 1, "effective_on": "2002-09-02"})  # fmt: skip
    before = api.post("planner", "/api/v1/needs", {"group_id": group.json()["id"],
                      "title": "Officer safety", "trigger": "new legislation",
                      "effective_on": "2002-08-01"})  # fmt: skip
    assert before.status_code == 422, before.text
    assert "before the facts it depends on" in before.json()["rule"]
    assert api.get("auditor", "/api/v1/audit/events").json()["total"] == 1
