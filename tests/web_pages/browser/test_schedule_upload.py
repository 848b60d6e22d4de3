"""A planner uploads a schedule of usage with two bad rows, sees both errors, fixes them,
previews the change, stores it and sees it in the facility's calendar."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web_pages.browser.conftest import Watched

BAD = (
    b"starts_on,ends_on,kind,purpose,rooms\n"
    b"2003-06-07,2003-06-07,booking,Borough briefing and tasking,1\n"
    b"2003-06-14,2003-06-31,booking,Stop and search refresher,1\n"
    b"2003-06-21,2003-06-21,meeting,Custody officers' meeting,1\n"
)
GOOD = BAD.replace(b"2003-06-14,2003-06-31", b"2003-06-14,2003-06-14").replace(
    b"meeting,Custody", b"booking,Custody"
)


def test_a_planner_sees_every_bad_row_fixes_them_and_sees_the_calendar(web: Watched) -> None:
    page = web.sign_in("demo-planner-tp")
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Utilisation").click()
    page.get_by_role("link", name=re.compile("^Barnet training room, week of 2 Jun 2003")).click()
    expect(page.get_by_role("heading", name="Barnet training room, Barnet borough")).to_be_visible()
    expect(page.get_by_text("Week of 2 Jun 2003")).to_be_visible()
    page.get_by_role("link", name="Month view").click()

    page.get_by_label("File (CSV or XLSX)").set_input_files(
        files=[{"name": "barnet-june.csv", "mimeType": "text/csv", "buffer": BAD}]
    )
    page.get_by_label("Period from").fill("2003-06-01")
    page.get_by_label("Period to").fill("2003-06-30")
    page.get_by_role("button", name="Check the file").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("2 problems in barnet-june.csv: nothing was stored")
    rows = page.locator("table.errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("3")  # the spreadsheet's row 3: 31 June
    expect(rows.nth(0)).to_contain_text("2003-06-31")
    expect(rows.nth(1)).to_contain_text("4")  # row 4: a kind that is neither
    expect(rows.nth(1)).to_contain_text("kind")
    expect(rows.nth(1)).to_contain_text("meeting")

    page.get_by_label("File (CSV or XLSX)").set_input_files(
        files=[{"name": "barnet-june.csv", "mimeType": "text/csv", "buffer": GOOD}]
    )
    page.get_by_label("Period from").fill("2003-06-01")
    page.get_by_label("Period to").fill("2003-06-30")
    page.get_by_role("button", name="Check the file").click()
    preview = page.get_by_role("status")
    expect(preview).to_contain_text(
        "3 rows for 1 Jun 2003 to 30 Jun 2003, all correct. Nothing is stored yet."
    )
    expect(page.locator("td", has_text="Custody officers' meeting")).to_be_visible()

    page.get_by_role("button", name="Store this schedule").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("The schedule is stored: 3 rows"))
    expect(page.get_by_role("strong").filter(has_text="June 2003")).to_be_visible()
    expect(page.locator(".entry.booking", has_text="Custody officers' meeting")).to_be_visible()
    expect(page.locator(".entry.booking", has_text="Stop and search refresher")).to_be_visible()
