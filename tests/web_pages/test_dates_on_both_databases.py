"""On SQLite and on PostgreSQL, a store seeded with back-dated commands (a group registered on
2 September 2002, a need identified on 14 October and analysed on 20 November 2002, then
prioritised today): the need's page gives each step its business date and marks the back-dated
ones, and the audit desk replays the state as of a business date, and as recorded at a time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.settings import Settings
from tests.web.conftest import Api
from tests.web.journeys import ANALYSIS
from tests.web_pages.conftest import sign_in


@pytest.fixture
def pages(database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url))
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def seeded(client: TestClient) -> str:
    """The back-dated story through the API; the need's id."""
    api = Api(client)
    group = api.post("lspu", "/api/v1/groups", {"name": "Territorial Policing", "code": "TP",
                     "officers": 21449, "staff": 5757, "effective_on": "2002-09-02"})  # fmt: skip
    assert group.status_code == 201, group.text
    need = api.post("planner", "/api/v1/needs", {"group_id": group.json()["id"],
                    "title": "Officer safety", "trigger": "new legislation",
                    "effective_on": "2002-10-14"})  # fmt: skip
    assert need.status_code == 201, need.text
    need_id = str(need.json()["id"])
    analysed = api.post("lspu", f"/api/v1/needs/{need_id}/analysis",
                        {**ANALYSIS, "effective_on": "2002-11-20"}, version=1)  # fmt: skip
    assert analysed.status_code == 200, analysed.text
    prioritised = api.post("chair", f"/api/v1/needs/{need_id}/prioritise",
                           {"level": "Mandated", "score": 95, "reason": "Legal duty"},
                           version=2)  # fmt: skip
    assert prioritised.status_code == 200, prioritised.text
    return need_id


def test_a_back_dated_need_reads_in_business_dates_and_replays_as_of_one(
    pages: TestClient,
) -> None:
    need_id = seeded(pages)
    sign_in(pages, "demo-auditor")
    page = pages.get(f"/needs/{need_id}").text
    story = page.split('<ol class="timeline">')[1].split("</ol>")[0].split("<li")[1:]
    assert len(story) == 3
    identified, analysed, prioritised = story
    today = datetime.now(UTC).date()
    assert 'effective <time datetime="2002-10-14">14 Oct 2002</time>' in identified
    later = (today - date(2002, 10, 14)).days
    assert f"back-dated: recorded {later:,} days later" in identified
    assert 'effective <time datetime="2002-11-20">20 Nov 2002</time>' in analysed
    assert f'effective <time datetime="{today.isoformat()}">' in prioritised
    assert "back-dated" not in prioritised  # recorded the day it took effect

    autumn = pages.get("/audit", params={"as_of": "2002-10-31"}).text
    assert "<strong>2</strong> of 4 events applied" in autumn
    assert "1 need," in autumn and "<td>identified</td>" in autumn
    assert "No planning cycle had been opened: no prospectus." in autumn
    summer = pages.get("/audit", params={"as_of": "2002-08-31"}).text
    assert "<strong>0</strong> of 4 events applied" in summer and "0 needs" in summer
    now = pages.get("/audit", params={"as_of": today.isoformat()}).text
    assert "<strong>4</strong> of 4 events applied" in now and "<td>prioritised</td>" in now
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    held = pages.get("/audit", params={"as_of": today.isoformat(), "recorded_at": yesterday})
    assert re.search(r"as the store held it at .*<strong>0</strong> of 4 events", held.text, re.S)

    trail = pages.get("/audit", params={"entity": need_id}).text
    assert trail.count("back-dated: recorded") == 2 and "(position " in trail
