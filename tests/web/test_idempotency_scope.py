"""Idempotency keys belong to the caller's credentials: two clients that happen to send the same
key and the same body each get their own answer, never the other's stored one."""

from __future__ import annotations

from tests.web.conftest import Api
from tests.web.journeys import a_group


def test_two_tokens_sending_the_same_key_and_body_do_not_get_each_others_answer(
    api: Api,
) -> None:
    group_id = a_group(api)
    body = {"group_id": group_id, "title": "First aid", "trigger": "new legislation"}
    key = {"Idempotency-Key": "shared-key-1"}

    planners = api.post("planner", "/api/v1/needs", body, **key)
    chairs = api.post("chair", "/api/v1/needs", body, **key)

    assert planners.status_code == chairs.status_code == 201
    assert "Idempotent-Replayed" not in chairs.headers
    assert chairs.json()["id"] != planners.json()["id"]
    planner = api.client.app.state.stack.planner  # type: ignore[attr-defined]
    assert planner.recorder.max_notification_id() == 3  # the group and two needs
    actors = {
        row["identified_by"] for row in api.get("auditor", "/api/v1/needs-register").json()["items"]
    }
    assert len(actors) == 2  # each need was identified by its own caller
    again = api.post("chair", "/api/v1/needs", body, **key)  # the chair's own retry replays
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == chairs.json()
