"""A need's page offers the decisions the user may take on it now, and records them through
the application's commands: who, why, against the version shown."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.web_pages.conftest import csrf_of, sign_in


def tp_need(client: TestClient) -> str:
    page = client.get("/needs", params={"group": "TP", "stage": "scheduled"})
    start = page.text.index('<a href="/needs/') + len('<a href="')
    return page.text[start : page.text.index('"', start)]


def test_another_groups_planner_is_not_offered_a_withdrawal_and_is_refused(
    client: TestClient,
) -> None:
    sign_in(client, "demo-planner-so")
    need = tp_need(client)
    page = client.get(need)
    assert "Withdraw the need" not in page.text
    refused = client.post(
        need + "/decide",
        data={"csrf": csrf_of(page.text), "decision": "withdraw", "reason": "not ours"},
    )
    assert (
        refused.status_code == 422 and "planner.so may not withdraw a training need" in refused.text
    )


def test_an_auditor_is_offered_no_decision_and_may_take_none(client: TestClient) -> None:
    sign_in(client, "demo-auditor")
    need = tp_need(client)
    page = client.get(need)
    assert "Decide" not in page.text
    refused = client.post(
        need + "/decide", data={"csrf": csrf_of(page.text), "decision": "endorse", "reason": "x"}
    )
    assert refused.status_code == 403


def test_a_withdrawal_without_a_reason_is_refused_naming_the_field(client: TestClient) -> None:
    sign_in(client, "demo-planner-tp")
    need = tp_need(client)
    page = client.get(need)
    refused = client.post(
        need + "/decide", data={"csrf": csrf_of(page.text), "decision": "withdraw", "reason": " "}
    )
    assert refused.status_code == 422 and "reason: must say why" in refused.text


def test_the_groups_planner_withdraws_a_need_and_its_story_says_who_and_why(
    client: TestClient,
) -> None:
    sign_in(client, "demo-planner-tp")
    need = tp_need(client)
    page = client.get(need)
    assert "Withdraw the need" in page.text
    version = page.text.split('name="version" value="')[1].split('"')[0]
    done = client.post(
        need + "/decide",
        data={
            "csrf": csrf_of(page.text),
            "decision": "withdraw",
            "reason": "The course is replaced by e-learning",
            "version": version,
        },
    )
    assert done.status_code == 303
    story = client.get(need).text
    assert "Withdrawn" in story and "Why: The course is replaced by e-learning" in story
    assert "by <strong>planner.tp</strong>" in story.split("Withdrawn")[-1]
    withdrawn = story.split('<ol class="timeline">')[1].split("<li")[-1]
    today = datetime.now(UTC).date()
    assert f'effective <time datetime="{today.isoformat()}">' in withdrawn  # recorded the day
    assert "backdated" not in withdrawn and "back-dated" not in withdrawn  # it took effect
    stale = client.post(
        need + "/decide",
        data={
            "csrf": csrf_of(page.text),
            "decision": "withdraw",
            "reason": "again",
            "version": version,
        },
    )
    assert stale.status_code == 422
