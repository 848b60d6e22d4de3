"""Planners, LSPU and the TMB start runs; the TMB alone publishes; others are neither offered
nor let through; a what-if is checked before anything is recorded."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web_pages.conftest import csrf_of, sign_in


def runs_recorded(client: TestClient) -> int:
    return client.get("/runs").text.count('name="a" value=')


def test_a_planner_is_offered_a_run_but_not_publication(client: TestClient) -> None:
    page = sign_in(client, "demo-planner-tp").get("/runs")
    assert "Start a run" in page.text and "Publish" not in page.text


def test_a_board_chair_is_not_offered_a_run_and_cannot_start_one(client: TestClient) -> None:
    page = sign_in(client, "demo-chair-tp").get("/runs")
    assert "Start a run" not in page.text and "Publish" not in page.text
    before = runs_recorded(client)
    refused = client.post("/runs", data={"csrf": csrf_of(page.text), "time_limit": "2"})
    assert refused.status_code == 403 and "may not run the optimiser" in refused.text
    assert runs_recorded(client) == before


def test_a_what_if_naming_an_unknown_centre_is_refused_and_nothing_is_recorded(
    client: TestClient,
) -> None:
    page = sign_in(client, "demo-tmb").get("/runs")
    assert "Start a run" in page.text
    before = runs_recorded(client)
    refused = client.post(
        "/runs",
        data={"csrf": csrf_of(page.text), "time_limit": "2", "what_ifs": "close=Atlantis"},
    )
    assert refused.status_code == 422
    assert "Nothing was started: what-if &#39;close=Atlantis&#39;" in refused.text
    assert "Orpington" in refused.text  # the candidate centres are named
    assert runs_recorded(client) == before


def test_a_time_limit_out_of_range_is_refused(client: TestClient) -> None:
    page = sign_in(client, "demo-tmb").get("/runs")
    refused = client.post("/runs", data={"csrf": csrf_of(page.text), "time_limit": "0"})
    assert refused.status_code == 422 and "time limit" in refused.text


def test_publishing_needs_the_tmb(client: TestClient) -> None:
    page = sign_in(client, "demo-tmb").get("/runs")
    start = page.text.index('<a href="/runs/') + len('<a href="')
    run = page.text[start : page.text.index('"', start)]
    sign_in(client, "demo-lspu")
    run_page = client.get(run)
    assert run_page.status_code == 200 and "Publish the prospectus" not in run_page.text
    refused = client.post(
        run + "/publish", data={"csrf": csrf_of(run_page.text), "reason": "x", "version": "1"}
    )
    assert refused.status_code == 403
