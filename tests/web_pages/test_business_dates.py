"""The pages speak the business dates of the 2002/03 story the demo records (needs identified
in autumn 2002, endorsed on 14 March 2003, the prospectus published on 30 June 2003) beside the
time the store recorded each step, today: a back-dated step says how many days later it was
recorded, and the audit desk replays the state as it stood on a business date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from tests.web_pages.conftest import sign_in

RECORDED = re.compile(r'recorded <time datetime="([^"]+)">')


def found(pattern: str, text: str) -> str:
    """The first group of the pattern's first match in the text (which must have one)."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not on the page"
    return match.group(1)


def a_tp_mandated_need(client: TestClient) -> str:
    page = client.get("/needs", params={"group": "TP", "priority": "Mandated"})
    start = page.text.index('<a href="/needs/') + len('<a href="')
    return page.text[start : page.text.index('"', start)]


def steps(html: str) -> list[str]:
    return html.split('<ol class="timeline">')[1].split("</ol>")[0].split("<li")[1:]


def test_a_needs_timeline_shows_each_steps_business_date_and_when_it_was_recorded(
    client: TestClient,
) -> None:
    sign_in(client, "demo-chair-tp")
    page = client.get(a_tp_mandated_need(client)).text
    story = steps(page)
    assert [step.split('class="what">')[1].split(" <span")[0] for step in story][:4] == [
        "Identified", "Analysis recorded", "Prioritised", "Endorsed",
    ]  # fmt: skip
    identified, endorsed = story[0], story[3]
    assert 'effective <time datetime="2002-09-23">23 Sep 2002</time>' in identified
    assert 'effective <time datetime="2003-03-14">14 Mar 2003</time>' in endorsed
    recorded = datetime.fromisoformat(found(RECORDED.pattern, identified))
    later = (recorded.astimezone(UTC).date() - date(2002, 9, 23)).days
    assert f"back-dated: recorded {later:,} days later" in identified
    assert 'class="backdated"' in identified
    assert "Why: Endorsed for the 2003/04 plan" in endorsed and "by <strong>tmb.chair" in endorsed
    # and the need's summary says when it was identified and decided, in business dates
    assert re.search(r"by planner.tp on <time datetime=\"2002-09-23\">", page)
    assert re.search(r"endorsed by tmb.chair on <time datetime=\"2003-03-14\">", page)


def test_the_needs_register_shows_the_business_dates_of_identification_and_decision(
    client: TestClient,
) -> None:
    page = sign_in(client, "demo-planner-tp").get("/needs", params={"group": "TP"}).text
    row = page.split("Officer safety training refresher</a>")[1].split("</tr>")[0]
    assert '<time datetime="2002-09-23">23 Sep 2002</time>' in row
    assert 'endorsed by tmb.chair, <time datetime="2003-03-14">14 Mar 2003</time>' in row
    assert row.count(">back-dated</span>") == 2
    assert "2026" not in row.split('title="')[0]  # the recording time only in the marker's title


def test_home_and_prospectus_say_the_prospectus_was_published_on_30_june_2003(
    client: TestClient,
) -> None:
    sign_in(client, "demo-tmb")
    home = client.get("/").text
    assert re.search(
        r'published <time datetime="2003-06-30">30 Jun 2003</time> .*by tmb.chair', home
    )
    prospectus = client.get("/prospectus").text
    assert 'Edition 1, published <time datetime="2003-06-30">30 Jun 2003</time>' in prospectus


def test_the_audit_desk_replays_the_state_as_of_a_business_date(client: TestClient) -> None:
    sign_in(client, "demo-auditor")
    new_year = client.get("/audit", params={"as_of": "2003-01-01"})
    assert new_year.status_code == 200
    text = new_year.text
    assert 'As of <strong><time datetime="2003-01-01">1 Jan 2003</time></strong>' in text
    counts = text.replace(",", "")
    applied = int(found(r"<strong>(\d+)</strong> of \d+ events applied", counts))
    total = int(found(r"<strong>\d+</strong> of (\d+) events applied", counts))
    assert 0 < applied < total
    assert "22 needs" in text and "0 planning cycles" in text
    assert "No planning cycle had been opened: no prospectus." in text
    assert '<td>needs in the register</td><td class="n">22</td>' in text
    assert '<td>prospectus sessions (draft and published)</td><td class="n">0</td>' in text

    summer = client.get("/audit", params={"as_of": "2003-07-01"}).text
    assert re.search(
        r"prospectus edition 1 of [\d,]+ sessions published by tmb.chair on "
        r'<time datetime="2003-06-30">30 Jun 2003</time>', summer
    )  # fmt: skip
    assert "22 needs" in summer and "1 planning cycle" in summer
    later = int(found(r"<strong>([\d,]+)</strong> of", summer).replace(",", ""))
    assert later > applied
    assert "<td>Orpington Officer Safety Training centre</td><td>approved</td>" in summer


def test_as_recorded_before_the_demo_was_recorded_nothing_is_applied(client: TestClient) -> None:
    sign_in(client, "demo-auditor")
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.get("/audit", params={"as_of": "2003-07-01", "recorded_at": yesterday}).text
    assert "<strong>0</strong> of" in page and "as the store held it at" in page
    assert "0 needs" in page


def test_a_business_date_in_the_future_or_malformed_is_refused_naming_the_field(
    client: TestClient,
) -> None:
    sign_in(client, "demo-auditor")
    ahead = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    future = client.get("/audit", params={"as_of": ahead}).text
    assert f"as_of: {ahead} is in the future" in future and "events applied" not in future
    wrong = client.get("/audit", params={"as_of": "2003-07-01", "recorded_at": "noon"}).text
    assert "recorded_at: &#39;noon&#39; is not an ISO 8601 date or time" in wrong
    blank = client.get("/audit", params={"as_of": ""}).text
    assert "as_of: give the business date, YYYY-MM-DD" in blank


def test_the_audit_desks_trail_shows_both_dates_of_each_step(client: TestClient) -> None:
    sign_in(client, "demo-auditor")
    desk = client.get("/audit").text
    barnet = found(r'<option value="([^"]+)"[^>]*>Barnet training room', desk)
    trail = client.get("/audit", params={"entity": barnet}).text
    first = steps(trail)[0]
    assert (
        "Registered" in first and 'effective <time datetime="2002-09-02">2 Sep 2002</time>' in first
    )
    assert "back-dated: recorded" in first and "(position " in first


def test_the_demos_run_is_listed_on_the_day_the_tmb_ran_it_16_june_2003(
    client: TestClient,
) -> None:
    sign_in(client, "demo-tmb")
    runs = client.get("/runs").text
    row = runs.split("<tbody>")[1].split("</tr>")[-2]  # the oldest run: the demo's
    assert '<td><time datetime="2003-06-16">16 Jun 2003</time> <span class="late"' in row
    home = client.get("/").text
    assert re.search(r'started <time datetime="2003-06-16">16 Jun 2003</time>', home)
    run = found(r'<a href="(/runs/[^"]+)">Run ', row)
    assert 'Started <time datetime="2003-06-16">16 Jun 2003</time>' in client.get(run).text
