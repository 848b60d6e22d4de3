"""The HTTP API under test: the real app (lifespan and all) on a real store, SQLite or
PostgreSQL (`database_url` from tests/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.settings import Settings

TOKENS = {
    "planner": "demo-planner-tp",
    "planner_so": "demo-planner-so",
    "chair": "demo-chair-tp",
    "chair_so": "demo-chair-so",
    "tmb": "demo-tmb",
    "lspu": "demo-lspu",
    "auditor": "demo-auditor",
}


def auth(who: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[who]}", **headers}


def if_match(who: str, version: int | str) -> dict[str, str]:
    return auth(who, **{"If-Match": f'"{version}"'})


class Api:
    """A TestClient that speaks as one of the demo principals."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def post(self, who: str, path: str, body: Any = None, version: int | None = None,
             **headers: str) -> Any:  # fmt: skip
        headers = auth(who, **headers)
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return self.client.post(path, json=body, headers=headers)

    def get(self, who: str, path: str, **params: Any) -> Any:
        return self.client.get(path, headers=auth(who), params=params)

    def version(self, path: str) -> int:
        response = self.get("auditor", path)
        assert response.status_code == 200, response.text
        return int(response.headers["ETag"].strip('"'))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


def eventually(check: Any, seconds: float = 10.0) -> Any:
    """`check()` once it is truthy, or its last value after `seconds` (background work: the
    projection follower, the sealer)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)
