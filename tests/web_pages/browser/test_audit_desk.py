"""An auditor opens a need's timeline, replays the state as of a date, and verifies the
history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.web_pages.browser.conftest import Watched


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

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Audit desk").click()
    today = datetime.now(UTC).date()
    page.get_by_label("As of the date").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Replay").click()
    expect(page.get_by_text("up to position 0")).to_be_visible()
    page.get_by_label("As of the date").fill(today.isoformat())
    page.get_by_role("button", name="Replay").click()
    expect(page.get_by_text("Needs by stage then")).to_be_visible()
    expect(page.locator("table", has_text="Needs by stage then")).to_contain_text("scheduled")

    page.get_by_label("Need or facility").select_option(
        label="Barnet training room (Barnet borough)"
    )
    page.get_by_role("button", name="Show the trail").click()
    expect(page.locator("ol.timeline li").first).to_contain_text("Registered")

    page.get_by_role("button", name="Verify every event").click()
    expect(page.get_by_role("status")).to_contain_text("Verified: no event was changed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export every event (JSON Lines)").click()
    assert download.value.suggested_filename == "trainplan-events.jsonl"
