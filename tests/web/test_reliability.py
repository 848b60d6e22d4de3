"""Reliability against a real server: many clients racing for one version; the server killed
with SIGKILL in the middle of a stream of writes."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from domain import TrainingPlanner, store_env
from tests.web.conftest import auth
from tests.web.server import Server

CLIENTS = 16
ROUNDS = 4


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(database_url, tmp_path / "server.log").start()
    yield running
    running.stop()


def register_group(base: str, code: str = "TP") -> str:
    response = httpx.post(
        base + "/api/v1/groups",
        headers=auth("lspu"),
        timeout=30,
        json={"name": f"Group {code}", "code": code, "officers": 0, "staff": 0},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.slow
def test_many_clients_racing_for_one_version_leave_exactly_one_winner_each_time(
    server: Server, database_url: str
) -> None:
    group_id = register_group(server.url)
    outcomes: list[list[tuple[int, int]]] = [[] for _ in range(ROUNDS)]
    barrier = threading.Barrier(CLIENTS)

    def client(index: int) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            for round_ in range(ROUNDS):
                barrier.wait()
                response = http.post(
                    f"/api/v1/groups/{group_id}/headcount",
                    json={"officers": 1000 * round_ + index, "staff": index},
                    headers=auth("lspu", **{"If-Match": f'"{round_ + 1}"'}),
                )
                outcomes[round_].append((index, response.status_code))
                barrier.wait()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    winners = []
    for round_, answers in enumerate(outcomes):
        statuses = Counter(status for _, status in answers)
        assert statuses == {200: 1, 412: CLIENTS - 1}, (round_, statuses)
        winners.append(next(index for index, status in answers if status == 200))

    planner = TrainingPlanner(env=store_env(database_url))
    try:
        events = list(planner.repository.event_store.get(UUID(group_id)))
    finally:
        planner.close()
    assert [event.originator_version for event in events] == list(range(1, ROUNDS + 2))
    assert [(event.officers, event.staff) for event in events[1:]] == [
        (1000 * round_ + winner, winner) for round_, winner in enumerate(winners)
    ]


@pytest.mark.slow
def test_a_server_killed_mid_stream_keeps_every_write_it_acknowledged(
    server: Server, database_url: str, tmp_path: Path
) -> None:
    group_id = register_group(server.url)
    acknowledged: list[str] = []
    kill_after = 25
    enough = threading.Event()
    done = threading.Event()

    def stream() -> None:
        with httpx.Client(base_url=server.url, timeout=10, headers=auth("planner")) as http:
            for index in range(10_000):
                try:
                    response = http.post(
                        "/api/v1/needs",
                        json={
                            "group_id": group_id,
                            "title": f"Need {index}",
                            "trigger": "incident",
                        },
                    )
                except httpx.HTTPError:
                    break  # the server is gone
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])
                    if len(acknowledged) >= kill_after:
                        enough.set()
        done.set()

    writer = threading.Thread(target=stream)
    writer.start()
    assert enough.wait(timeout=120)
    server.kill()
    writer.join(timeout=60)
    assert done.is_set()

    server.start()
    with httpx.Client(base_url=server.url, timeout=30, headers=auth("auditor")) as http:
        for need_id in acknowledged:
            assert http.get(f"/api/v1/needs/{need_id}").status_code == 200, need_id

    planner = TrainingPlanner(env=store_env(database_url))
    try:
        stored = planner.recorder.max_notification_id()
        notifications = planner.recorder.select_notifications(start=1, limit=100_000)
    finally:
        planner.close()
    ids = [n.originator_id for n in notifications]
    assert len(ids) == len(set(ids)) == stored  # one event each: nothing duplicated
    assert set(map(UUID, acknowledged)) <= set(ids)

    # the restarted server's read models caught up exactly once: a row per event, no more
    from projections import open_projections

    views = open_projections(database_url)
    try:
        assert views.positions() == {name: stored for name in views.positions()}
        needs, total = views.query("needs", limit=1000)
        assert total == stored - 1  # every need identified, the group registered
        assert {n["need_id"] for n in needs} == {str(i) for i in ids[1:]}
        assert views.query("audit", limit=1)[1] == stored
    finally:
        views.close()
