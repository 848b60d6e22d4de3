"""The read models over HTTP: after commands over the API each list shows them, filters and
paging work and `total` counts every match; bad parameters are 422s naming the parameter;
unknown ids in a path are 404s."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.routing import APIRoute

from api.http.app import create_app
from api.http.paging import read_page
from api.http.problems import ApiProblem
from api.http.routers import audit, prospectus, read_models
from api.http.schemas.audit import AuditEntry
from api.http.schemas.read_models import IN_WORDS, ROW_MODELS, NeedsPage
from api.settings import Settings
from projections import QUERIES, open_projections
from projections.queries import table_of
from tests.web.conftest import Api
from tests.web.journeys import a_centre, a_cycle, a_facility, a_group, a_need, an_endorsed_need

UNKNOWN = "00000000-0000-0000-0000-000000000000"


def page(api: Api, path: str, **params: Any) -> dict[str, Any]:
    response = api.get("auditor", path, **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def problem(api: Api, path: str, **params: Any) -> dict[str, Any]:
    response = api.get("auditor", path, **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def a_published_cycle(api: Api) -> dict[str, str]:
    """A group, an endorsed need, a gym, a cycle whose run put one two-day session at the gym
    (recorded through the application, as the planning service does), then drafted and
    published over HTTP."""
    group = a_group(api)
    need = an_endorsed_need(api, group)
    gym = a_facility(api, group)
    cycle = a_cycle(api)
    stack = api.client.app.state.stack  # type: ignore[attr-defined]
    session = {
        "session_id": "GP05-S1",
        "course_code": "GP05",
        "venue_kind": "facility",
        "venue_id": gym,
        "starts_on": "2003-05-06",
        "ends_on": "2003-05-07",
        "learners": {group: 14},
        "needs": {need: 14},
    }
    stack.planner.record_run(
        UUID(cycle), run_id="run-1", inputs_digest="d1", settings={"time_limit": 5}, status="OPTIMAL",
        objective=1.0, bound=1.0, actor="tmb.chair", allocation={"sessions": [session]},
    )  # fmt: skip
    stack.catch_up()
    drafted = api.post(
        "tmb", f"/api/v1/cycles/{cycle}/prospectus/draft", {"run_id": "run-1"},
        version=api.version(f"/api/v1/cycles/{cycle}"),
    )  # fmt: skip
    assert drafted.status_code == 200, drafted.text
    return {"group": group, "need": need, "gym": gym, "cycle": cycle}


def publish(api: Api, cycle: str) -> None:
    published = api.post(
        "tmb", f"/api/v1/cycles/{cycle}/prospectus/publish", {"reason": "TMB approved the plan"},
        version=api.version(f"/api/v1/cycles/{cycle}"),
    )  # fmt: skip
    assert published.status_code == 200, published.text


# --- lists, filters, paging -------------------------------------------------------------------


def test_the_needs_register_shows_the_needs_recorded_over_http_with_filters_and_paging(
    api: Api,
) -> None:
    tp = a_group(api)
    so = a_group(api, "SO", "Specialist Operations")
    endorsed = an_endorsed_need(api, tp)
    a_need(api, tp, title="First aid")
    a_need(api, so, who="planner_so", title="Firearms")

    everything = page(api, "/api/v1/needs-register")
    assert everything["total"] == 3
    assert [n["title"] for n in everything["items"]] == ["Officer safety", "First aid", "Firearms"]

    only_endorsed = page(api, "/api/v1/needs-register", status="endorsed")
    assert only_endorsed["total"] == 1
    need = only_endorsed["items"][0]
    assert need["need_id"] == endorsed
    assert (need["level"], need["score"], need["course_code"]) == ("Mandated", 95, "GP05")
    assert (need["last_decision"], need["last_decision_by"], need["last_decision_reason"]) == (
        "Endorsed", "tmb.chair", "Mandated training",
    )  # fmt: skip

    assert page(api, "/api/v1/needs-register", group_code="TP")["total"] == 2
    assert page(api, "/api/v1/needs-register", group_id=so, level="Mandated")["total"] == 0

    second = page(api, "/api/v1/needs-register", limit=1, offset=1)
    assert (second["total"], second["limit"], second["offset"]) == (3, 1, 1)
    assert [n["title"] for n in second["items"]] == ["First aid"]
    assert page(api, "/api/v1/needs-register", offset=3) == {
        "items": [], "total": 3, "limit": 100, "offset": 3,
    }  # fmt: skip


def test_a_facilitys_schedule_shows_in_the_register_calendar_and_weekly_utilisation(
    api: Api,
) -> None:
    group = a_group(api)
    gym = a_facility(api, group)
    other = a_facility(api, group, name="Hendon pool")
    schedule = {
        "period_start": "2003-04-01",
        "period_end": "2003-06-30",
        "entries": [
            {"starts_on": "2003-04-07", "ends_on": "2003-04-08", "purpose": "Briefing"},
            {"starts_on": "2003-04-18", "ends_on": "2003-04-18", "kind": "closure",
             "purpose": "Good Friday"},
        ],
    }  # fmt: skip
    assert api.post("planner", f"/api/v1/facilities/{gym}/schedule", schedule, 1).status_code == 200

    register = page(api, "/api/v1/facility-register", site="Lambeth borough")
    assert register["total"] == 2
    assert page(api, "/api/v1/facility-register", facility_id=gym)["items"][0]["bookings"] == 1
    assert page(api, "/api/v1/facility-register", facility_id=other)["items"][0]["bookings"] == 0

    calendar = page(api, "/api/v1/facility-calendar", facility_id=gym)
    assert [(e["kind"], e["starts_on"]) for e in calendar["items"]] == [
        ("booking", "2003-04-07"), ("closure", "2003-04-18"),
    ]  # fmt: skip
    assert page(api, "/api/v1/facility-calendar", kind="closure")["total"] == 1
    assert page(api, "/api/v1/facility-calendar", **{"from": "2003-04-09"})["total"] == 1

    weeks = page(api, f"/api/v1/facilities/{gym}/utilisation")
    assert [(w["week"], w["booked_hours"], w["closed_hours"]) for w in weeks["items"]] == [
        ("2003-04-07", 16.0, 0.0), ("2003-04-14", 0.0, 8.0),
    ]  # fmt: skip
    assert weeks["items"][0]["utilisation"] == pytest.approx(16 / 40)
    # `from` a Wednesday still shows the week it falls in
    assert page(api, "/api/v1/facility-utilisation", **{"from": "2003-04-09"})["total"] == 2
    assert page(api, "/api/v1/facility-utilisation", to="2003-04-13")["total"] == 1


def test_a_drafted_then_published_prospectus_shows_in_every_cycle_view(api: Api) -> None:
    world = a_published_cycle(api)
    cycle, gym = world["cycle"], world["gym"]

    draft = page(api, f"/api/v1/cycles/{cycle}/prospectus", edition="draft")
    assert draft["total"] == 1
    session = draft["items"][0]
    assert (session["session_id"], session["venue_name"], session["places"], session["days"]) == (
        "GP05-S1", "Lambeth gym", 14, 2,
    )  # fmt: skip
    assert page(api, f"/api/v1/cycles/{cycle}/prospectus", edition="published")["total"] == 0
    tentative = page(api, "/api/v1/facility-calendar", facility_id=gym, tentative="true")
    assert [(e["status"], e["session_id"]) for e in tentative["items"]] == [
        ("tentative", "GP05-S1")
    ]
    assert page(api, "/api/v1/facility-calendar", facility_id=gym)["total"] == 0

    publish(api, cycle)
    assert page(api, f"/api/v1/cycles/{cycle}/prospectus", edition="published")["total"] == 1
    assert page(api, "/api/v1/prospectus", venue_id=gym)["total"] == 2  # draft and published
    confirmed = page(api, "/api/v1/facility-calendar", facility_id=gym, tentative="true")
    assert [e["status"] for e in confirmed["items"]] == ["confirmed"]
    week = page(api, f"/api/v1/facilities/{gym}/utilisation")["items"]
    assert [(w["week"], w["session_hours"]) for w in week] == [("2003-05-05", 16.0)]

    runs = page(api, f"/api/v1/cycles/{cycle}/runs")
    assert [(r["run_id"], r["state"], r["status"], r["sessions"]) for r in runs["items"]] == [
        ("run-1", "recorded", "OPTIMAL", 1)
    ]
    assert page(api, "/api/v1/optimisation-runs", state="running")["total"] == 0
    overview = page(api, "/api/v1/planning-cycles", status="published")["items"]
    assert [(c["cycle_id"], c["published_sessions"], c["edition"]) for c in overview] == [
        (cycle, 1, 1)
    ]

    delivered = api.post(
        "lspu", f"/api/v1/needs/{world['need']}/delivery", {"attendance": 12, "actual_cost": 900},
        version=api.version(f"/api/v1/needs/{world['need']}"),
    )  # fmt: skip
    assert delivered.status_code == 200, delivered.text
    costs = page(api, f"/api/v1/cycles/{cycle}/costs", group_code="TP")
    assert costs["total"] == 1
    line = costs["items"][0]
    assert (line["course_code"], line["planned_places"], line["actual_attendance"]) == (
        "GP05", 14, 12,
    )  # fmt: skip
    assert line["actual_cost"] == 900
    assert line["variance"] == pytest.approx(900 - line["planned_cost"])
    assert page(api, "/api/v1/cost-lines", cycle_id=cycle)["total"] == 1


def test_group_time_and_centre_proposals_show_their_rows(api: Api) -> None:
    group = a_group(api)
    a_group(api, "SO", "Specialist Operations")
    an_endorsed_need(api, group)
    centre = a_centre(api)

    tp = page(api, "/api/v1/group-training-time", code="TP")
    assert tp["total"] == 1
    row = tp["items"][0]
    assert (row["needs"], row["headcount"]) == (1, 21449 + 5757)
    assert row["hours_endorsed"] == 28 * 1 * 8  # learners x days x 8 hours
    assert page(api, "/api/v1/group-training-time")["total"] == 2

    proposals = page(api, "/api/v1/centre-proposals", status="proposed")
    assert [(c["id"], c["name"]) for c in proposals["items"]] == [(centre, "Orpington OST centre")]
    assert page(api, "/api/v1/centre-proposals", status="approved")["total"] == 0


# --- refusals ---------------------------------------------------------------------------------


REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    ("/api/v1/needs-register", {"limit": 0}, "query.limit"),
    ("/api/v1/needs-register", {"limit": 1001}, "query.limit"),
    ("/api/v1/needs-register", {"offset": -1}, "query.offset"),
    ("/api/v1/needs-register", {"status": "pending"}, "query.status"),
    ("/api/v1/needs-register", {"group_id": "TP"}, "query.group_id"),
    ("/api/v1/facility-calendar", {"from": "2003-02-30"}, "query.from"),
    ("/api/v1/facility-calendar", {"tentative": "true"}, "query.facility_id"),
    ("/api/v1/prospectus", {"edition": "final"}, "query.edition"),
    ("/api/v1/optimisation-runs", {"state": "paused"}, "query.state"),
]


def test_a_bad_filter_or_limit_is_a_422_naming_the_parameter(api: Api) -> None:
    for path, params, field in REFUSALS:
        body = problem(api, path, **params)
        assert (body["field"], bool(body["rule"])) == (field, True), (path, params)


def test_a_filter_the_read_models_refuse_is_a_422_naming_it(api: Api) -> None:
    projections = api.client.app.state.stack.projections  # type: ignore[attr-defined]
    with pytest.raises(ApiProblem) as refused:
        read_page(projections, "needs", NeedsPage, filters={"colour": "red"}, limit=1, offset=0)
    assert refused.value.status == 422
    assert refused.value.extra["field"] == "query.colour"
    assert "not a filter of needs" in refused.value.extra["rule"]


def test_an_unknown_cycle_or_facility_in_the_path_is_a_404(api: Api) -> None:
    a_cycle(api)
    for path in (
        f"/api/v1/cycles/{UNKNOWN}/prospectus",
        f"/api/v1/cycles/{UNKNOWN}/costs",
        f"/api/v1/cycles/{UNKNOWN}/runs",
        f"/api/v1/facilities/{UNKNOWN}/utilisation",
    ):
        response = api.get("auditor", path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


def test_every_role_may_read_the_read_models_and_a_stranger_may_not(api: Api) -> None:
    for who in ("planner", "chair", "tmb", "lspu", "auditor"):
        assert api.get(who, "/api/v1/needs-register").status_code == 200
    assert api.client.get("/api/v1/needs-register").status_code == 401


# --- the contract -----------------------------------------------------------------------------


def test_every_row_model_has_exactly_the_columns_of_its_read_model(tmp_path: Path) -> None:
    projections = open_projections(f"sqlite:///{tmp_path / 'events.db'}")
    try:
        for name, spec in QUERIES.items():
            model = ROW_MODELS.get(name, AuditEntry)
            columns = {c.name for c in table_of(projections, spec).columns} - {"doc_key"}
            assert set(model.model_fields) - IN_WORDS.get(name, set()) == columns, name
            undocumented = [n for n, f in model.model_fields.items() if not f.description]
            assert not undocumented, (name, undocumented)
    finally:
        projections.close()


@pytest.mark.parametrize(
    "router",
    [read_models.router, prospectus.router, audit.router],
    ids=["read_models", "prospectus", "audit"],
)
def test_every_route_has_a_summary_a_response_model_and_its_errors_documented(
    router: Any,
) -> None:
    schema = create_app(Settings(database_url="sqlite:////tmp/never-opened.db")).openapi()
    routes = [route for route in router.routes if isinstance(route, APIRoute)]
    assert routes
    for route in routes:
        operation = schema["paths"][route.path]["get"]
        assert operation["summary"] and operation["description"], route.path
        assert {"200", "401"} <= set(operation["responses"]), route.path
        ok = operation["responses"]["200"]["content"]
        assert any("$ref" in media["schema"] for media in ok.values()), route.path
        if "{" in route.path:
            assert "404" in operation["responses"], route.path
        if operation.get("parameters"):
            assert "422" in operation["responses"], route.path
