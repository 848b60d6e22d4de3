"""The TMB starts a run, watches its progress, reads the result, starts a what-if with a larger
training-time allowance for Territorial Policing, compares the two side by side and publishes
the base plan. (The what-if must hold whatever the demo published: closing Orpington is refused
when the published prospectus has sessions there, as a test of planning.whatif says.)"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web_pages.browser.conftest import Watched


def test_the_tmb_starts_a_run_watches_it_compares_it_and_publishes_it(web: Watched) -> None:
    page = web.sign_in("demo-tmb")
    page.get_by_role("navigation", name="Pages").get_by_role(
        "link", name="Optimisation runs"
    ).click()
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Start").click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}/[0-9a-f]{12}$"))
    run_url = page.url
    expect(page.get_by_role("heading", name="Solving")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(re.compile("Stage|no plan"))
    # the page follows the run and shows its result when it ends
    expect(page.get_by_role("heading", name="Learners planned by priority")).to_be_visible(
        timeout=90_000
    )
    expect(page.get_by_role("heading", name="Needs not fully met, and why")).to_be_visible()
    expect(page.locator(".card", has_text="Cash cost")).to_contain_text("£")

    page.get_by_role("link", name="← Optimisation runs").click()
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_label("What-ifs, one per line").fill("name=more for TP;allowance.TP=60")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", name=re.compile("what-if more for TP"))).to_be_visible()
    expect(page.get_by_role("heading", name="Learners planned by priority")).to_be_visible(
        timeout=90_000
    )
    expect(page.locator(".card", has_text="Centres opened")).to_be_visible()

    page.get_by_role("link", name="← Optimisation runs").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("more for TP")
    page.locator('input[name="a"]').nth(1).check()  # A: the base plan just run; B: the what-if
    page.get_by_role("button", name="Compare A and B side by side").click()
    expect(page.get_by_role("heading", name="Two runs side by side, 2003/04")).to_be_visible()
    expect(page.locator("thead").first).to_contain_text("B: Run")
    expect(page.locator("thead").first).to_contain_text("(more for TP)")
    expect(page.locator("tr", has_text="Mandated learners")).to_contain_text("of")
    expect(page.locator("tr", has_text="Cash cost")).to_contain_text("£")

    page.goto(run_url)
    page.get_by_label("Why").fill("The TMB publishes the re-optimised 2003/04 plan")
    page.get_by_role("button", name="Publish the prospectus").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Published: edition 2 of the 2003/04 prospectus"
    )
