"""The schedule upload is offered, and accepted, only to those who may submit that venue's
schedule: its own group's planner and the LSPU; nothing is stored on a refusal."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web_pages.conftest import csrf_of, sign_in

SHEET = b"starts_on,ends_on,purpose\n2003-06-07,2003-06-07,Weekend briefing\n"


def barnet(client: TestClient) -> str:
    page = client.get("/utilisation")
    start = page.text.index('<a href="/facilities/') + len('<a href="')
    path = page.text[start : page.text.index('"', start)]
    assert "Barnet training room" in client.get(path).text
    return path


def upload(client: TestClient, path: str, csrf: str, step: str = "check") -> object:
    return client.post(
        f"{path}/schedule",
        data={"csrf": csrf, "step": step, "period_start": "2003-06-07", "period_end": "2003-06-07"},
        files={"file": ("sheet.csv", SHEET, "text/csv")},
    )


def test_the_owning_groups_planner_is_offered_the_upload_and_gets_a_preview(
    client: TestClient,
) -> None:
    sign_in(client, "demo-planner-tp")
    path = barnet(client)
    page = client.get(path)
    assert "Submit the schedule of usage" in page.text
    preview = upload(client, path, csrf_of(page.text))
    assert preview.status_code == 200 and "Nothing is stored yet" in preview.text  # type: ignore[attr-defined]


def test_another_groups_planner_is_neither_offered_the_upload_nor_let_through(
    client: TestClient,
) -> None:
    sign_in(client, "demo-planner-so")
    path = barnet(client)
    page = client.get(path)
    assert "Submit the schedule of usage" not in page.text
    refused = upload(client, path, csrf_of(page.text))
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "planner.so may not submit the schedule of a facility" in refused.text  # type: ignore[attr-defined]


def test_an_auditor_may_not_submit_a_schedule(client: TestClient) -> None:
    sign_in(client, "demo-auditor")
    path = barnet(client)
    page = client.get(path)
    assert "Submit the schedule of usage" not in page.text
    refused = upload(client, path, csrf_of(page.text))
    assert refused.status_code == 403  # type: ignore[attr-defined]


def test_an_upload_without_the_csrf_secret_is_refused(client: TestClient) -> None:
    sign_in(client, "demo-lspu")
    path = barnet(client)
    refused = upload(client, path, "forged", step="store")
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "Weekend briefing" not in client.get(path + "?on=2003-06-01").text


def test_an_excel_sheet_is_checked_row_by_row_too(client: TestClient) -> None:
    import io
    from datetime import date

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Start", "End", "Type", "Description"])
    sheet.append([date(2003, 6, 7), date(2003, 6, 7), "Booking", "Weekend briefing"])
    sheet.append([date(2003, 6, 14), "not a date", "Booking", "Weekend exercise"])
    data = io.BytesIO()
    book.save(data)
    sign_in(client, "demo-lspu")
    path = barnet(client)
    page = client.get(path)
    answer = client.post(
        f"{path}/schedule",
        data={"csrf": csrf_of(page.text), "step": "check", "period_start": "2003-06-01",
              "period_end": "2003-06-30"},
        files={"file": ("barnet.xlsx", data.getvalue(),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    )  # fmt: skip
    assert answer.status_code == 422
    assert "1 problem in barnet.xlsx" in answer.text
    assert "<td>3</td><td>ends_on</td><td>not a date</td>" in answer.text
