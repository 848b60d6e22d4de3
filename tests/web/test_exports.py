"""Files out over HTTP: the prospectus as CSV, iCalendar and XLSX (by `?format=` or `Accept`),
every read-model list as CSV, a cycle named by its name, and the words people read (a group's
code in the register, "GP05 ..., session 1 of 2" in a calendar)."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from tests.web.conftest import Api
from tests.web.journeys import a_centre, a_cycle, a_facility, a_group, an_endorsed_need

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def published_two_sessions(api: Api) -> dict[str, str]:
    """A group, an endorsed GP05 need, its gym, a cycle whose run put two sessions there,
    drafted and published (the run recorded through the application, as the service does)."""
    group = a_group(api)
    need = an_endorsed_need(api, group)
    gym = a_facility(api, group)
    cycle = a_cycle(api)
    stack = api.client.app.state.stack  # type: ignore[attr-defined]
    sessions = [
        {"session_id": f"GP05-S{n}", "course_code": "GP05", "venue_kind": "facility",
         "venue_id": gym, "starts_on": day, "ends_on": day, "learners": {group: 14},
         "needs": {need: 14}}
        for n, day in ((1, "2003-05-06"), (2, "2003-05-13"))
    ]  # fmt: skip
    stack.planner.record_run(UUID(cycle), run_id="run-1", inputs_digest="d", settings={},
                             status="OPTIMAL", objective=1.0, bound=1.0, actor="tmb.chair",
                             allocation={"sessions": sessions})  # fmt: skip
    stack.planner.draft_prospectus(UUID(cycle), run_id="run-1", actor="tmb.chair")
    stack.planner.publish_prospectus(UUID(cycle), reason="TMB approved", actor="tmb.chair")
    stack.catch_up()
    return {"group": group, "need": need, "gym": gym, "cycle": cycle}


def get(api: Api, path: str, accept: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": "Bearer demo-auditor"}
    if accept:
        headers["Accept"] = accept
    return api.client.get(path, params=params, headers=headers)


def test_the_prospectus_as_csv_names_each_session_in_its_course(api: Api) -> None:
    world = published_two_sessions(api)
    response = get(api, "/api/v1/prospectus", cycle="2003/04", edition="published", format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="prospectus-2003-04.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Course"], r["Title"], r["Session"], r["Starts"]) for r in rows] == [
        ("GP05", "Officer safety", "1 of 2", "2003-05-06"),
        ("GP05", "Officer safety", "2 of 2", "2003-05-13"),
    ]
    same = get(api, f"/api/v1/cycles/{world['cycle']}/prospectus", accept="text/csv",
               edition="published")  # fmt: skip
    assert same.content == response.content


def test_the_prospectus_as_icalendar_has_one_all_day_event_per_session(api: Api) -> None:
    world = published_two_sessions(api)
    response = get(api, f"/api/v1/cycles/{world['cycle']}/prospectus", accept="text/calendar",
                   edition="published")  # fmt: skip
    assert response.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "GP05 Officer safety, session 1 of 2",
        "GP05 Officer safety, session 2 of 2",
    ]
    first = events[0]
    assert (first.decoded("dtstart").isoformat(), first.decoded("dtend").isoformat()) == (
        "2003-05-06",
        "2003-05-07",
    )
    assert str(first["location"]) == "Lambeth gym, Lambeth borough"
    again = get(api, "/api/v1/prospectus", cycle="2003/04", edition="published", format="ics")
    assert [str(e["uid"]) for e in Calendar.from_ical(again.content).walk("VEVENT")] == [
        str(e["uid"]) for e in events
    ]


def test_the_prospectus_as_xlsx_has_real_dates_under_a_header(api: Api) -> None:
    published_two_sessions(api)
    response = get(api, "/api/v1/prospectus", cycle="2003/04", edition="draft", format="xlsx")
    assert response.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Course", "Title", "Session")
    assert len(rows) == 3
    assert rows[1][6].date().isoformat() == "2003-05-06"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/needs-register",
        "/api/v1/facility-register",
        "/api/v1/facility-calendar",
        "/api/v1/facility-utilisation",
        "/api/v1/group-training-time",
        "/api/v1/centre-proposals",
        "/api/v1/planning-cycles",
        "/api/v1/optimisation-runs",
        "/api/v1/cost-lines",
    ],
)
def test_every_read_model_list_answers_csv_with_every_matching_row(api: Api, path: str) -> None:
    published_two_sessions(api)
    a_centre(api)
    page = get(api, path, limit=1).json()
    response = get(api, path, format="csv")
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == page["total"]
    assert list(rows[0]) == list(page["items"][0])
    assert len(list(csv.reader(io.StringIO(get(api, path, format="csv", limit=1).text)))) == 2


def test_the_register_shows_the_group_code_and_the_calendar_the_session_in_words(
    api: Api,
) -> None:
    world = published_two_sessions(api)
    register = get(api, "/api/v1/facility-register", owning_group_code="tp").json()
    assert [(f["name"], f["owning_group_code"]) for f in register["items"]] == [
        ("Lambeth gym", "TP")
    ]
    calendar = get(api, "/api/v1/facility-calendar", facility_id=world["gym"]).json()
    assert [e["purpose"] for e in calendar["items"]] == [
        "GP05 Officer safety, session 1 of 2",
        "GP05 Officer safety, session 2 of 2",
    ]
    one = get(api, f"/api/v1/facilities/{world['gym']}/calendar").json()
    assert [e["purpose"] for e in one["entries"]] == [e["purpose"] for e in calendar["items"]]


def test_a_cycle_is_taken_by_its_name_and_a_name_in_the_path_says_how_to_get_its_id(
    api: Api,
) -> None:
    world = published_two_sessions(api)
    runs = get(api, "/api/v1/optimisation-runs", cycle="2003/04").json()
    assert [r["cycle_id"] for r in runs["items"]] == [world["cycle"]]
    unknown = get(api, "/api/v1/prospectus", cycle="2099/00")
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "query.cycle"
    by_name = get(api, "/api/v1/cycles/2003-04/prospectus")
    assert by_name.status_code == 422
    assert "GET /api/v1/planning-cycles?name=2003/04" in by_name.json()["detail"]
