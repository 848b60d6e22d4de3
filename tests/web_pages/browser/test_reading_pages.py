"""A board chair signs in, reads the cycle at a glance, the prospectus (filtered, downloaded),
training time per head and the heat map; the API documentation renders from this site alone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web_pages.browser.conftest import Watched


def test_a_board_chair_reads_the_home_page_prospectus_and_training_time(web: Watched) -> None:
    page = web.go("/prospectus")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fprospectus$"))
    page.get_by_label("Access token").fill("demo-chair-so")
    page.keyboard.press("Enter")  # the form works from the keyboard
    expect(page).to_have_url(re.compile(r"/prospectus$"))

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Planning cycle 2003/04")).to_be_visible()
    expect(page.locator(".card").first).to_contain_text("Budget£9,500,000")
    expect(page.get_by_role("heading", name="Coverage of the latest run")).to_be_visible()

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Prospectus").click()
    page.get_by_label("Business group").select_option("SO")
    page.get_by_label("Month").select_option("2003-06")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"group=SO.*month=2003-06"))
    expect(page.locator("section.course").first).to_be_visible()
    expect(page.locator("section.course tbody tr").first).to_contain_text("Jun 2003")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download iCalendar").click()
    assert download.value.suggested_filename == "prospectus-2003-04.ics"
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Pages")).to_be_hidden()
    expect(page.locator("form.filters")).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Training time").click()
    expect(page.get_by_role("img", name=re.compile("Hours per head by group"))).to_be_visible()
    expect(page.locator("table tr", has_text="SO")).to_contain_text("48.0 h")

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Utilisation").click()
    expect(page.locator(".legend")).to_contain_text("confirmed training sessions")
    expect(page.locator("table.heat tbody tr")).to_have_count(26)


def test_the_api_documentation_renders_without_another_host(web: Watched) -> None:
    page = web.go("/docs")
    expect(page.get_by_text("planning cycles", exact=True).first).to_be_visible(timeout=20_000)
    page = web.go("/redoc")
    expect(page.get_by_text("Training needs, facilities and the prospectus").first).to_be_visible(
        timeout=20_000
    )
