"""Each page answers a signed-in reader in people's words, with the numbers formatted."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.web_pages.conftest import sign_in


def test_the_home_page_shows_the_cycle_its_budget_and_the_latest_runs_coverage(
    client: TestClient,
) -> None:
    page = sign_in(client, "demo-chair-tp").get("/")
    assert page.status_code == 200
    assert "Planning cycle 2003/04" in page.text and "£9,500,000" in page.text
    assert "Coverage of the latest run" in page.text and "Mandated" in page.text


def test_the_prospectus_filters_by_group_and_downloads_what_it_shows(client: TestClient) -> None:
    sign_in(client, "demo-planner-tp")
    page = client.get("/prospectus", params={"group": "HR", "cycle": "2003/04"})
    assert page.status_code == 200 and "HR07" in page.text
    assert (
        '<h2 id="c-1">HR07' in page.text and ">GP05 Officer" not in page.text.split("</form>")[-1]
    )
    data = client.get("/prospectus/download", params={"format": "csv", "group": "HR"})
    assert data.headers["content-disposition"] == 'attachment; filename="prospectus-2003-04.csv"'
    rows = list(csv.DictReader(io.StringIO(data.content.decode("utf-8-sig"))))
    assert rows and all("HR" in row["Groups"].split(", ") for row in rows)
    ics = client.get("/prospectus/download", params={"format": "ics", "group": "HR"})
    assert ics.text.count("BEGIN:VEVENT") == len(rows)
    xlsx = client.get("/prospectus/download", params={"format": "xlsx", "group": "HR"})
    assert xlsx.content[:2] == b"PK"


def test_a_malformed_month_is_refused_naming_the_field(client: TestClient) -> None:
    page = sign_in(client, "demo-tmb").get("/prospectus", params={"month": "June"})
    assert page.status_code == 422 and "month: must be YYYY-MM" in page.text


def test_the_needs_register_filters_and_a_needs_page_tells_its_story(client: TestClient) -> None:
    sign_in(client, "demo-chair-tp")
    page = client.get("/needs", params={"group": "TP", "priority": "Mandated"})
    assert page.status_code == 200 and "Officer safety training refresher" in page.text
    assert "<td>SO</td>" not in page.text and "<td>TP</td>" in page.text
    start = page.text.index('<a href="/needs/') + len('<a href="')
    story = client.get(page.text[start : page.text.index('"', start)])
    assert story.status_code == 200
    for said in ("Identified", "by <strong>planner.tp</strong>", "Prioritised", "Why: Mandated"):
        assert said in story.text
    assert "group_id=TP" in story.text  # ids read as names


def test_training_time_per_head_draws_each_group_against_its_allowance(client: TestClient) -> None:
    page = sign_in(client, "demo-chair-so").get("/training-time")
    assert page.status_code == 200 and "<svg" in page.text
    assert "SO allowance: 48.0 h per head" in page.text
    assert '<th scope="row">TP</th><td class="n">27,206</td><td class="n">40.0 h</td>' in page.text
