"""The pages under test: the demo scenario recorded once per test session (`trainplan demo`,
a short optimisation, published), and a copy of its data directory for each test module, so
that a journey that changes the store changes only its own copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the demo scenario, optimised for 3 seconds and published."""
    folder = tmp_path_factory.mktemp("demo") / "data"
    env = {**os.environ, "TRAINPLAN_DATA_DIR": str(folder)}
    for name in ("TRAINPLAN_DATABASE_URL", "TRAINPLAN_TOKENS", "TRAINPLAN_TOKENS_FILE"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--time-limit", "3"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    return folder


def copy_of(demo_data: Path, into: Path) -> Path:
    target = into / "data"
    shutil.copytree(demo_data, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


@pytest.fixture(scope="module")
def module_data(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_of(demo_data, tmp_path_factory.mktemp("pages"))


@pytest.fixture(scope="module")
def client(module_data: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=module_data, database_url="", tokens=None, tokens_file=None)
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF field"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> TestClient:
    """Signs the client in with a token through the form; its cookie jar keeps the session."""
    client.cookies.clear()
    form = client.get("/login")
    answer = client.post("/login", data={"token": token, "csrf": csrf_of(form.text), "next": "/"})
    assert answer.status_code == 303, answer.text
    return client
