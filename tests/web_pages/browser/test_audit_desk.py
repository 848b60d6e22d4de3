"""An auditor opens a need's timeline (each step's business date and when it was recorded),
replays the state as of a business date (1 January 2003: the needs, no prospectus; 1 July 2003:
the prospectus published on 30 June), follows a facility's trail, and verifies the history.
The journey keeps a screenshot of the need's page and of the desk in `test-results/`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.web_pages.browser.conftest import SHOTS, Watched


def test_an_auditor_reads_a_needs_story_replays_as_of_a_date_and_verifies(web: Watched) -> None:
    page = web.sign_in("demo-auditor")
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Needs").click()
    page.get_by_label("Business group").select_option("TP")
    page.get_by_label("Priority").select_option("Mandated")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Officer safety training refresher").click()
    timeline = page.locator("ol.timeline li")
    expect(timeline.first).to_contain_text("Identified")
    expect(timeline.first).to_contain_text("by planner.tp")
    expect(page.locator("ol.timeline")).to_contain_text("Why: Mandated")
    expect(timeline.first).to_contain_text("effective 23 Sep 2002")
    expect(timeline.first.locator(".late")).to_contain_text(
        re.compile(r"back-dated: recorded [\d,]+ days later")
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "need.png"), full_page=True)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Audit desk").click()
    page.get_by_label("As of the business date").fill("2003-01-01")
    page.get_by_role("button", name="Replay").click()
    state = page.locator("#as-of-state")
    expect(state).to_contain_text("As of 1 Jan 2003")
    expect(state).to_contain_text("22 needs")
    expect(state).to_contain_text("No planning cycle had been opened: no prospectus.")
    page.get_by_label("As of the business date").fill("2003-07-01")
    page.get_by_role("button", name="Replay").click()
    expect(state).to_contain_text("As of 1 Jul 2003")
    expect(state).to_contain_text("published by tmb.chair on 30 Jun 2003")
    expect(page.locator("table", has_text="Needs by stage then")).to_contain_text("scheduled")
    page.screenshot(path=str(SHOTS / "audit.png"), full_page=True)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    page.get_by_label("As recorded at, UTC (optional)").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Replay").click()
    held = re.compile(r":\s+0 of [\d,]+ events applied")  # the store held none of it a day ago
    expect(state.locator("p").first).to_contain_text(held)
    expect(state).to_contain_text("as the store held it at")

    page.get_by_label("Need or facility").select_option(
        label="Barnet training room (Barnet borough)"
    )
    page.get_by_role("button", name="Show the trail").click()
    first = page.locator("ol.timeline li").first
    expect(first).to_contain_text("Registered")
    expect(first).to_contain_text("effective 2 Sep 2002")
    expect(first).to_contain_text("back-dated: recorded")

    page.get_by_role("button", name="Verify every event").click()
    expect(page.get_by_role("status")).to_contain_text("Verified: no event was changed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export every event (JSON Lines)").click()
    assert download.value.suggested_filename == "trainplan-events.jsonl"
