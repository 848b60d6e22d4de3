"""Every command over HTTP: status codes, ETags and If-Match, problem+json bodies."""

from __future__ import annotations

from uuid import UUID

from tests.web.conftest import Api, auth
from tests.web.journeys import (
    ANALYSIS,
    a_centre,
    a_cycle,
    a_facility,
    a_group,
    a_need,
    an_analysed_need,
    an_endorsed_need,
)


def test_a_created_resource_answers_201_with_its_location_and_first_version(api: Api) -> None:
    response = api.post(
        "lspu",
        "/api/v1/groups",
        {"name": "Territorial Policing", "code": "TP", "officers": 1, "staff": 2},
    )
    assert response.status_code == 201
    assert response.headers["ETag"] == '"1"'
    location = response.headers["Location"]
    got = api.get("auditor", location)
    assert got.status_code == 200
    assert got.headers["ETag"] == '"1"'
    assert got.json()["code"] == "TP"


def test_a_need_goes_through_its_whole_lifecycle_over_http(api: Api) -> None:
    group_id = a_group(api)
    need_id = an_endorsed_need(api, group_id)
    need = api.get("auditor", f"/api/v1/needs/{need_id}")
    assert need.json()["status"] == "endorsed"
    assert need.headers["ETag"] == '"4"'
    withdrawn = api.post(
        "tmb", f"/api/v1/needs/{need_id}/withdraw", {"reason": "Merged"}, version=4
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["version"] == 5
    assert api.get("auditor", f"/api/v1/needs/{need_id}").json()["status"] == "withdrawn"


def test_a_write_without_if_match_is_refused_with_428(api: Api) -> None:
    group_id = a_group(api)
    response = api.post("lspu", f"/api/v1/groups/{group_id}/headcount", {"officers": 1, "staff": 1})
    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"


def test_a_write_with_a_stale_if_match_is_refused_with_412_and_the_current_etag(api: Api) -> None:
    group_id = a_group(api)
    assert (
        api.post(
            "lspu", f"/api/v1/groups/{group_id}/headcount", {"officers": 1, "staff": 1}, version=1
        ).status_code
        == 200
    )
    stale = api.post(
        "lspu", f"/api/v1/groups/{group_id}/headcount", {"officers": 2, "staff": 2}, version=1
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert stale.headers["ETag"] == '"2"'


def test_a_broken_domain_rule_is_a_409_that_says_which_rule(api: Api) -> None:
    group_id = a_group(api)
    need_id = a_need(api, group_id)
    response = api.post(
        "chair",
        f"/api/v1/needs/{need_id}/prioritise",
        {"level": "Essential", "score": 50, "reason": "Soon"},
        version=1,
    )
    assert response.status_code == 409
    assert "before its performance needs analysis" in response.json()["detail"]


def test_a_value_the_domain_refuses_is_a_422_naming_the_field_and_rule(api: Api) -> None:
    group_id = a_group(api)
    need_id = a_need(api, group_id)
    response = api.post(
        "lspu",
        f"/api/v1/needs/{need_id}/analysis",
        {**ANALYSIS, "class_size_min": 20, "class_size_max": 10},
        version=1,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "class_size_max"
    assert "at least class_size_min" in response.json()["rule"]


def test_a_malformed_body_is_a_422_naming_the_field(api: Api) -> None:
    response = api.post(
        "lspu",
        "/api/v1/facilities",
        {"name": "Gym", "site": "Hendon", "capacity": 0, "cost_per_day": 10},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "body.capacity"
    assert body["rule"]
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unknown_id_is_a_404(api: Api) -> None:
    response = api.get("auditor", "/api/v1/needs/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_a_taken_natural_key_is_a_409(api: Api) -> None:
    a_group(api)
    again = api.post(
        "lspu",
        "/api/v1/groups",
        {"name": "Territorial Policing", "code": "TP", "officers": 1, "staff": 2},
    )
    assert again.status_code == 409


def test_a_missing_or_unknown_token_is_a_401(api: Api) -> None:
    assert api.client.get("/api/v1/whoami").status_code == 401
    response = api.client.get("/api/v1/whoami", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_principal_becomes_the_actor_of_the_event(api: Api) -> None:
    group_id = a_group(api)
    need_id = a_need(api, group_id)
    response = api.client.get(f"/api/v1/needs/{need_id}", headers=auth("auditor"))
    assert response.status_code == 200
    planner = api.client.app.state.stack.planner  # type: ignore[attr-defined]
    events = list(planner.repository.event_store.get(UUID(need_id)))
    assert events[0].actor == "planner.tp"


def test_facilities_and_centres_go_through_their_commands(api: Api) -> None:
    facility_id = a_facility(api)
    assert (
        api.post(
            "lspu",
            f"/api/v1/facilities/{facility_id}/details",
            {"capacity": 16, "reason": "New mats"},
            version=1,
        ).status_code
        == 200
    )
    assert (
        api.post(
            "lspu",
            f"/api/v1/facilities/{facility_id}/decommission",
            {"on": "2010-01-01", "reason": "Sold"},
            version=2,
        ).status_code
        == 200
    )
    assert (
        api.get("auditor", f"/api/v1/facilities/{facility_id}").json()["decommissioned_on"]
        == "2010-01-01"
    )
    centre_id = a_centre(api)
    assert (
        api.post(
            "lspu",
            f"/api/v1/centres/{centre_id}/costing",
            {"setup_cost": 1, "running_cost_per_day": 2, "notes": "Study"},
            version=1,
        ).status_code
        == 200
    )
    assert (
        api.post(
            "tmb", f"/api/v1/centres/{centre_id}/approve", {"reason": "Rec. 5"}, version=2
        ).status_code
        == 200
    )
    assert api.get("auditor", f"/api/v1/centres/{centre_id}").json()["status"] == "approved"


def test_a_cycle_takes_its_budget_and_weights_and_closes(api: Api) -> None:
    cycle_id = a_cycle(api)
    assert (
        api.post(
            "tmb", f"/api/v1/cycles/{cycle_id}/budget", {"budget": 1, "reason": "Cut"}, version=1
        ).status_code
        == 200
    )
    assert (
        api.post(
            "tmb",
            f"/api/v1/cycles/{cycle_id}/weights",
            {"weights": {"Mandated": 1000}, "reason": "TMB"},
            version=2,
        ).status_code
        == 200
    )
    assert (
        api.post(
            "tmb", f"/api/v1/cycles/{cycle_id}/close", {"reason": "Year end"}, version=3
        ).status_code
        == 200
    )
    refused = api.post(
        "tmb", f"/api/v1/cycles/{cycle_id}/budget", {"budget": 2, "reason": "Late"}, version=4
    )
    assert refused.status_code == 409


def test_a_schedule_uploaded_as_csv_shows_in_the_facility_calendar(api: Api) -> None:
    group_id = a_group(api)
    facility_id = a_facility(api, owning_group_id=group_id)
    csv = (
        b"starts_on,ends_on,kind,purpose,rooms\n"
        b"2003-04-07,2003-04-07,booking,Borough briefing and tasking,1\n"
        b"2003-04-18,2003-04-18,closure,Good Friday,\n"
    )
    response = api.client.post(
        f"/api/v1/facilities/{facility_id}/schedule/csv",
        data={"period_start": "2003-04-01", "period_end": "2003-06-30"},
        files={"file": ("lambeth.csv", csv, "text/csv")},
        headers={**auth("planner"), "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    calendar = api.get("auditor", f"/api/v1/facilities/{facility_id}/calendar").json()
    assert [(e["starts_on"], e["kind"], e["purpose"]) for e in calendar["entries"]] == [
        ("2003-04-07", "booking", "Borough briefing and tasking"),
        ("2003-04-18", "closure", "Good Friday"),
    ]


def test_a_faulty_csv_row_is_a_422_naming_the_row_column_and_value(api: Api) -> None:
    facility_id = a_facility(api)
    csv = b"starts_on,ends_on,purpose,rooms\n2003-04-07,2003-04-07,Briefing,two\n"
    response = api.client.post(
        f"/api/v1/facilities/{facility_id}/schedule/csv",
        data={"period_start": "2003-04-01", "period_end": "2003-06-30"},
        files={"file": ("x.csv", csv, "text/csv")},
        headers={**auth("lspu"), "If-Match": '"1"'},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "row 2, rooms"
    assert problem["errors"][0]["row"] == 2
    assert problem["errors"][0]["column"] == "rooms"
    assert problem["errors"][0]["value"] == "two"


def test_the_same_idempotency_key_and_body_replays_the_answer_and_records_nothing(
    api: Api,
) -> None:
    group_id = a_group(api)
    body = {"group_id": group_id, "title": "First aid", "trigger": "new legislation"}
    first = api.post("planner", "/api/v1/needs", body, **{"Idempotency-Key": "k-1"})
    again = api.post("planner", "/api/v1/needs", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    planner = api.client.app.state.stack.planner  # type: ignore[attr-defined]
    assert planner.recorder.max_notification_id() == 2  # the group and one need


def test_the_same_idempotency_key_with_another_body_is_refused_with_422(api: Api) -> None:
    group_id = a_group(api)
    body = {"group_id": group_id, "title": "First aid", "trigger": "new legislation"}
    api.post("planner", "/api/v1/needs", body, **{"Idempotency-Key": "k-2"})
    other = api.post(
        "planner", "/api/v1/needs", {**body, "title": "Driving"}, **{"Idempotency-Key": "k-2"}
    )
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"


def test_an_analysed_need_can_be_rejected_by_the_tmb(api: Api) -> None:
    group_id = a_group(api)
    need_id = an_analysed_need(api, group_id, mandatory_basis=None)
    assert (
        api.post(
            "chair",
            f"/api/v1/needs/{need_id}/prioritise",
            {"level": "Optional", "score": 5, "reason": "Nice"},
            version=2,
        ).status_code
        == 200
    )
    assert (
        api.post(
            "tmb", f"/api/v1/needs/{need_id}/reject", {"reason": "No case"}, version=3
        ).status_code
        == 200
    )
