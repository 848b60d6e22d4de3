"""Over HTTP, a control character other than tab and newline in any text of a request is a 422
naming the field and the rule, before any command runs: nothing is recorded."""

from __future__ import annotations

from tests.web.conftest import Api
from tests.web.journeys import a_facility, a_group


def recorded(api: Api) -> int:
    planner = api.client.app.state.stack.planner  # type: ignore[attr-defined]
    return int(planner.recorder.max_notification_id() or 0)


def test_a_nul_in_a_needs_title_is_a_422_naming_title_and_nothing_is_recorded(api: Api) -> None:
    group_id = a_group(api)
    before = recorded(api)
    response = api.post(
        "planner",
        "/api/v1/needs",
        {"group_id": group_id, "title": "x\u0000y", "trigger": "new legislation"},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "body.title"
    assert problem["rule"] == (
        "must not contain control characters other than tab and newline "
        "(found U+0000 at character 2)"
    )
    assert recorded(api) == before
    assert api.get("auditor", "/api/v1/needs-register").json()["total"] == 0


def test_every_kind_of_text_in_a_request_is_checked(api: Api) -> None:
    group_id = a_group(api)
    facility_id = a_facility(api)
    before = recorded(api)
    refused = {
        "body.features[1]": api.post(
            "lspu",
            "/api/v1/facilities",
            {
                "name": "Gym",
                "site": "Hendon",
                "capacity": 10,
                "cost_per_day": 1,
                "features": ["gym", "m\u0007ats"],
            },
        ),
        "body.name": api.post(
            "lspu", "/api/v1/groups", {"name": "\u009bSO", "code": "SO", "officers": 1, "staff": 1}
        ),
        "body.reason": api.post(
            "lspu",
            f"/api/v1/facilities/{facility_id}/decommission",
            {"on": "2010-01-01", "reason": "gone\u007f"},
            version=1,
        ),
        "body.entries[0].purpose": api.post(
            "lspu",
            f"/api/v1/facilities/{facility_id}/schedule",
            {
                "period_start": "2003-04-01",
                "period_end": "2003-04-30",
                "entries": [
                    {
                        "starts_on": "2003-04-07",
                        "ends_on": "2003-04-07",
                        "purpose": "Brief\u0000ing",
                    }
                ],
            },
            version=1,
        ),
        "body.description": api.post(
            "planner",
            "/api/v1/needs",
            {
                "group_id": group_id,
                "title": "Fine",
                "trigger": "new legislation",
                "description": "tab\tand newline\nare fine, escape \u001b is not",
            },
        ),
    }
    for field, response in refused.items():
        assert response.status_code == 422, (field, response.text)
        assert response.json()["field"] == field
        assert "control characters" in response.json()["rule"]
    assert recorded(api) == before


def test_a_nul_in_a_query_filter_is_a_422_naming_the_parameter_not_a_server_error(
    api: Api,
) -> None:
    for path, name in [
        ("/api/v1/audit/events", "actor"),
        ("/api/v1/needs-register", "course_code"),
        ("/api/v1/prospectus", "cycle"),
    ]:
        response = api.get("auditor", path, **{name: "x\u0000"})
        assert response.status_code == 422, (path, response.text)
        assert response.json()["field"] == f"query.{name}"
        assert "control characters" in response.json()["rule"]
