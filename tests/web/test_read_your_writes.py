"""Writes answer when their events are stored; the read models and the seals follow in the
background; a read that asks for a write's position sees it, or is told plainly that it cannot
yet (503), never answered stale. Two app instances over one PostgreSQL: one drives the read
models, a write through either is seen through the other."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.http.read_your_writes import MIN_POSITION, POSITION, views_read
from api.settings import Settings
from projections.integrity import verify
from tests.web.conftest import Api, auth, eventually
from tests.web.journeys import a_group

GROUP = {"name": "Specialist Operations", "code": "SO", "officers": 3200, "staff": 900}


def register(client: TestClient, code: str = "SO") -> int:
    response = client.post("/api/v1/groups", json={**GROUP, "code": code}, headers=auth("lspu"))
    assert response.status_code == 201, response.text
    return int(response.headers[POSITION])


def group_codes(client: TestClient, **headers: str) -> Any:
    return client.get("/api/v1/group-training-time", headers=auth("auditor", **headers))


@pytest.fixture
def quick(database_url: str) -> Settings:
    return Settings(database_url=database_url, read_wait_seconds=2)


@pytest.fixture
def client(quick: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(quick), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_write_answers_its_position_and_a_read_asking_for_it_sees_the_write(
    client: TestClient,
) -> None:
    first = register(client, "SO")
    second = register(client, "SC")
    assert 0 < first < second
    client.cookies.clear()  # only what is asked for below
    seen = group_codes(client, **{MIN_POSITION: str(second)})
    assert seen.status_code == 200, seen.text
    assert {row["code"] for row in seen.json()["items"]} == {"SO", "SC"}
    by_query = client.get(
        "/api/v1/group-training-time", params={"min_position": second}, headers=auth("auditor")
    )
    assert by_query.json()["total"] == 2


def test_the_test_client_sees_its_own_writes_through_the_position_cookie(api: Api) -> None:
    for code in ("TP", "SO", "SC"):
        a_group(api, code, f"Group {code}")
        assert api.get("auditor", "/api/v1/group-training-time").json()["total"] >= 1
    assert api.get("auditor", "/api/v1/group-training-time").json()["total"] == 3


def test_a_write_does_not_wait_for_the_read_models_and_a_read_asking_for_it_is_told_they_are_behind(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stack = client.app.state.stack  # type: ignore[attr-defined]

    def unreachable(*_: Any, **__: Any) -> int:
        raise RuntimeError("the views database is unreachable")

    with monkeypatch.context() as broken:
        broken.setattr(stack.projections, "catch_up", unreachable)
        position = register(client)  # answered 201: the write stands
        behind = group_codes(client, **{MIN_POSITION: str(position)})
        assert behind.status_code == 503, behind.text
        assert behind.headers["content-type"] == "application/problem+json"
        assert behind.headers["Retry-After"] == "1"
        body = behind.json()
        assert body["min_position"] == position
        assert body["positions"] == {"group_time": 0}
        assert f"asked to see position {position}" in body["detail"]
        assert "group_time at 0" in body["detail"]
        health = client.get("/health").json()
        assert (health["head"], health["lag"], health["follower"]) == (
            position,
            position,
            "failing",
        )
    assert "the read models could not catch up" in caplog.text
    # healed: the follower retries on its own, and the read sees the write
    healed = eventually(
        lambda: group_codes(client, **{MIN_POSITION: str(position)}).status_code == 200
    )
    assert healed
    assert group_codes(client).json()["total"] == 1


def test_the_health_shows_each_read_models_position_the_lag_and_the_seals(
    client: TestClient,
) -> None:
    position = register(client)
    health = eventually(
        lambda: (h := client.get("/health").json())["lag"] == 0 and h["sealed"] == position and h
    )
    assert health["status"] == "ok"
    assert health["head"] == position
    assert health["follower"] == "following"
    assert set(health["positions"]) == {
        "audit", "centres", "cycles", "facilities", "group_time", "needs", "trainers"
    }  # fmt: skip
    assert set(health["positions"].values()) == {position}


def test_the_seals_follow_in_the_background_and_verify_reports_the_tail_until_then(
    client: TestClient, quick: Settings
) -> None:
    stack = client.app.state.stack  # type: ignore[attr-defined]
    stack.sealer.stop()  # nothing seals now
    position = register(client)
    report = verify(quick.database_url)
    assert (report.ok, report.events, report.unsealed) == (True, position, position)
    stack.sealer.start()
    stack.sealer.wake()
    sealed = eventually(lambda: verify(quick.database_url).unsealed == 0)
    assert sealed


def test_a_min_position_that_is_not_a_whole_number_or_beyond_the_store_is_a_422_naming_it(
    client: TestClient,
) -> None:
    register(client)
    client.cookies.clear()
    for value, rule in (("soon", "whole number"), ("-3", "whole number"), ("999", "reached")):
        refused = group_codes(client, **{MIN_POSITION: value})
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == f"header.{MIN_POSITION}"
        assert rule in refused.json()["rule"]
    client.cookies.set("trainplan_position", "999")  # another store's: ignored
    assert group_codes(client).status_code == 200


def test_reads_of_a_resource_by_id_never_wait_and_lists_wait_for_the_read_models_they_read() -> (
    None
):
    assert views_read("/api/v1/groups/6f1c") == ()
    assert views_read("/api/v1/audit/verify") == ()
    assert views_read("/api/v1/whoami") == ()
    assert views_read("/api/v1/needs-register") == ("needs",)
    assert views_read("/api/v1/facilities/6f1c/calendar") == ("facilities", "cycles")
    assert views_read("/api/v1/cycles/6f1c/prospectus") == ("cycles",)
    assert len(views_read("/pages/prospectus")) == 7  # unknown to this table: every one


def test_the_openapi_documents_the_position_on_writes_and_the_minimum_on_reads(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    created = paths["/api/v1/groups"]["post"]["responses"]["201"]
    assert POSITION in created["headers"]
    listed = paths["/api/v1/needs-register"]["get"]
    assert MIN_POSITION in {p["name"] for p in listed["parameters"]}
    assert "503" in listed["responses"]
    by_id = paths["/api/v1/groups/{group_id}"]["get"]
    assert MIN_POSITION not in {p["name"] for p in by_id.get("parameters", [])}


@pytest.mark.postgres
def test_two_app_instances_over_one_postgresql_share_one_follower_and_see_each_others_writes(
    postgres_session_url: str,
) -> None:
    from tests.conftest import empty_postgres

    empty_postgres(postgres_session_url)
    settings = Settings(database_url=postgres_session_url, read_wait_seconds=5)
    with (
        TestClient(create_app(settings), raise_server_exceptions=False) as first,
        TestClient(create_app(settings), raise_server_exceptions=False) as second,
    ):
        states = eventually(
            lambda: (
                sorted(c.get("/health").json()["follower"][:8] for c in (first, second))
                == ["followin", "standing"]
            )
        )
        assert states, [c.get("/health").json() for c in (first, second)]
        for writer, reader, code in ((first, second, "SO"), (second, first, "SC")):
            position = register(writer, code)
            reader.cookies.clear()
            seen = group_codes(reader, **{MIN_POSITION: str(position)})
            assert seen.status_code == 200, seen.text
            assert code in {row["code"] for row in seen.json()["items"]}


def test_a_rebuild_from_another_process_swaps_in_while_the_server_follows_and_it_follows_on(
    client: TestClient, quick: Settings
) -> None:
    from projections import open_projections

    register(client, "SO")
    # on SQLite a rebuild that starts while the follower writes may meet "database is locked"
    # (the engine's deferred transactions): start it once the follower is idle
    assert eventually(lambda: client.get("/health").json()["lag"] == 0)
    elsewhere = open_projections(quick.database_url)  # its own locks, as another process's
    try:
        began = time.monotonic()
        positions = elsewhere.rebuild(wait=30)
        assert time.monotonic() - began < 20
        assert set(positions.values()) == {1}
    finally:
        elsewhere.close()
    position = register(client, "SC")
    seen = group_codes(client, **{MIN_POSITION: str(position)})
    assert seen.status_code == 200, client.get("/health").json()["follower"]
    assert seen.json()["total"] == 2
    assert eventually(lambda: client.get("/health").json()["follower"] == "following")
