"""Optimisation runs over HTTP as jobs on the run queue: any server shows any run (its progress
is on the queue's row, not in the memory of the server that took the request); a run whose
worker died is interrupted and can be retried."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from api.http.app import create_app
from api.settings import Settings
from planning.jobs import RunQueue
from tests.web.conftest import Api, auth
from tests.web.journeys import a_cycle, a_facility, a_group, an_endorsed_need


@contextmanager
def server(database_url: str, **settings: Any) -> Iterator[Api]:
    app = create_app(Settings(database_url=database_url, **settings))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client)


def a_plannable_cycle(api: Api) -> str:
    group = a_group(api)
    a_facility(api, owning_group_id=group)
    an_endorsed_need(api, group)
    return a_cycle(api)


def until_ended(api: Api, location: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while (status := api.get("tmb", location).json())["state"] == "running":
        assert time.monotonic() < deadline, f"the run did not end: {status}"
        time.sleep(0.1)
    return dict(status)


def test_a_run_started_on_one_server_is_solved_by_another_and_both_show_its_progress(
    database_url: str,
) -> None:
    with (
        server(database_url, run_workers=0) as front,
        server(database_url, run_workers=1) as back,
    ):
        cycle = a_plannable_cycle(front)
        started = front.post("tmb", f"/api/v1/cycles/{cycle}/runs", {"time_limit": 2})
        assert started.status_code == 202, started.text
        assert started.json()["state"] == "running"
        location = started.headers["Location"]
        seen_solving = False
        while (status := front.get("tmb", location).json())["state"] == "running":
            if not status["queued"]:
                seen_solving = True
                assert status["worker"] and status["stage"] != "waiting for a worker"
            time.sleep(0.05)
        ended = until_ended(back, location)
        assert status == ended  # the same run, the same answer, from either server
        assert ended["state"] == "finished", ended
        assert ended["result"]["sessions"] and ended["solutions"] >= 1
        assert seen_solving or ended["worker"]
        draft = front.get("tmb", f"/api/v1/cycles/{cycle}/prospectus", edition="draft").json()
        assert draft["total"] >= 1


def test_with_no_worker_in_the_server_a_run_waits_on_the_queue(database_url: str) -> None:
    with server(database_url, run_workers=0) as api:
        cycle = a_plannable_cycle(api)
        started = api.post("tmb", f"/api/v1/cycles/{cycle}/runs", {"time_limit": 2})
        time.sleep(1.0)
        waiting = api.get("tmb", started.headers["Location"]).json()
        assert (waiting["state"], waiting["queued"], waiting["stage"], waiting["worker"]) == (
            "running", True, "waiting for a worker", None
        )  # fmt: skip
        cancelled = api.client.delete(started.headers["Location"], headers=auth("tmb"))
        assert cancelled.status_code == 202, cancelled.text
        assert cancelled.json()["state"] == "cancelled"  # no worker had taken it: at once
        cycle_now = api.get("auditor", f"/api/v1/cycles/{cycle}").json()
        assert cycle_now["runs"][started.json()["run_id"]]["status"] == "CANCELLED"


def test_a_run_whose_worker_died_is_interrupted_and_retried_as_a_new_run(
    database_url: str,
) -> None:
    with server(database_url, run_workers=0, run_stale_seconds=2) as api:
        cycle = a_plannable_cycle(api)
        started = api.post("tmb", f"/api/v1/cycles/{cycle}/runs", {"time_limit": 2})
        run_id = started.json()["run_id"]
        queue = RunQueue(database_url)
        try:  # a worker elsewhere takes it, then its machine is lost
            taken = queue.claim("lost-machine:77:worker")
            assert taken is not None and taken.run_id == run_id
        finally:
            queue.close()
        interrupted = until_ended(api, started.headers["Location"], seconds=15)
        assert interrupted["state"] == "interrupted", interrupted
        assert "stopped reporting for more than 2 s" in interrupted["error"]
        cycle_now = api.get("auditor", f"/api/v1/cycles/{cycle}").json()
        assert cycle_now["runs"][run_id]["status"] == "INTERRUPTED"

        retried = api.post("tmb", f"/api/v1/cycles/{cycle}/runs/{run_id}/retry")
        assert retried.status_code == 202, retried.text
        again = retried.json()
        assert again["retry_of"] == run_id and again["run_id"] != run_id
        assert retried.headers["Location"].endswith(again["run_id"])
        refused = api.post("tmb", f"/api/v1/cycles/{cycle}/runs/{again['run_id']}/retry")
        assert refused.status_code == 409, refused.text
        assert "only an interrupted or failed run can be retried" in refused.json()["detail"]
        unknown = api.post("tmb", f"/api/v1/cycles/{cycle}/runs/no-such-run/retry")
        assert unknown.status_code == 404, unknown.text

    with server(database_url, run_workers=1) as restarted:  # a server with a worker solves it
        done = until_ended(restarted, retried.headers["Location"])
        assert done["state"] == "finished", done
        assert done["retry_of"] == run_id
