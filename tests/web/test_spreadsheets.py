"""Spreadsheets over HTTP: a schedule of usage uploaded as XLSX or CSV, previewed with a dry run,
refused with every row's problem at once."""

from __future__ import annotations

import io

import httpx
from openpyxl import Workbook

from tests.web.conftest import Api, auth
from tests.web.journeys import a_facility, a_group

PERIOD = {"period_start": "2003-04-01", "period_end": "2003-06-30"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(api: Api, facility_id: str, name: str, data: bytes, **form: str) -> httpx.Response:
    headers = auth("planner")
    if "version" in form:
        headers["If-Match"] = f'"{form.pop("version")}"'
    return api.client.post(
        f"/api/v1/facilities/{facility_id}/schedule/spreadsheet",
        data={**PERIOD, **form},
        files={"file": (name, data, XLSX if name.endswith("xlsx") else "text/csv")},
        headers=headers,
    )


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_schedule_is_previewed_without_if_match_then_stored_with_it(api: Api) -> None:
    facility_id = a_facility(api, owning_group_id=a_group(api))
    data = workbook(
        ["Starts on", "Ends on", "Kind", "Purpose"],
        ["07/04/2003", "07/04/2003", "Booking", "Borough briefing"],
    )
    preview = upload(api, facility_id, "lambeth.xlsx", data, dry_run="true")
    assert preview.status_code == 200, preview.text
    assert preview.json()["stored"] is False
    assert [e["purpose"] for e in preview.json()["added"]] == ["Borough briefing"]
    assert api.get("auditor", f"/api/v1/facilities/{facility_id}/calendar").json()["entries"] == []
    stored = upload(api, facility_id, "lambeth.xlsx", data, version=preview.json()["version"])
    assert stored.status_code == 200, stored.text
    assert stored.json()["stored"] is True
    assert stored.headers["ETag"] == f'"{stored.json()["version"]}"'
    entries = api.get("auditor", f"/api/v1/facilities/{facility_id}/calendar").json()["entries"]
    assert [(e["starts_on"], e["kind"]) for e in entries] == [("2003-04-07", "booking")]


def test_a_stored_upload_still_needs_if_match(api: Api) -> None:
    facility_id = a_facility(api, owning_group_id=a_group(api))
    data = b"starts_on,ends_on,purpose\n2003-04-07,2003-04-07,Briefing\n"
    assert upload(api, facility_id, "x.csv", data).status_code == 428


def test_every_bad_row_comes_back_in_one_422(api: Api) -> None:
    facility_id = a_facility(api, owning_group_id=a_group(api))
    data = (
        b"starts_on;ends_on;kind;purpose\n"
        b"2003-04-07;2003-04-07;Booking;Briefing\n"
        b"2003-04-08;2003-04-08;party;Leaving do\n"
        b"2003-04-07;2003-04-07;booking;Double-booked\n"
    )
    response = upload(api, facility_id, "x.csv", data, version="1")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [(3, "kind", "party")]
    # the clash is found once the rows themselves are valid
    fixed = data.replace(b"party", b"booking")
    errors = upload(api, facility_id, "x.csv", fixed, version="1").json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(4, "starts_on")]
    assert "row 2 (booking 'Briefing'" in errors[0]["rule"]


def test_a_header_without_rows_needs_empty_period(api: Api) -> None:
    facility_id = a_facility(api, owning_group_id=a_group(api))
    refused = upload(api, facility_id, "x.csv", b"starts_on,ends_on,purpose\n", version="1")
    assert refused.status_code == 422
    assert "no rows" in refused.json()["detail"]
    emptied = upload(
        api, facility_id, "x.csv", b"starts_on,ends_on,purpose\n", version="1", empty_period="true"
    )
    assert emptied.status_code == 200, emptied.text


def test_a_json_schedule_with_no_entries_needs_empty_period_too(api: Api) -> None:
    facility_id = a_facility(api, owning_group_id=a_group(api))
    path = f"/api/v1/facilities/{facility_id}/schedule"
    refused = api.post("planner", path, {**PERIOD, "entries": []}, version=1)
    assert refused.status_code == 422
    assert "empty_period=true" in refused.text and "entries" in refused.text
    assert api.version(f"/api/v1/facilities/{facility_id}") == 1  # nothing was recorded
    emptied = api.post("planner", path, {**PERIOD, "entries": [], "empty_period": True}, version=1)
    assert emptied.status_code == 200, emptied.text
