"""Browser journeys: Playwright driving the system's Chromium (Debian's `chromium`, which
`.ci/run` installs when it is missing) against the real server, uvicorn on a free port, over a
copy of the demo store (one per test module).

Every page a journey opens is watched: a request to any other host, or an error in the
browser's console, fails the test. A failing test leaves a screenshot of its page in
`test-results/` (CI keeps it as an artefact)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.web.server import Server

CHROMIUM = Path(os.environ.get("TRAINPLAN_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SHOTS = Path(__file__).resolve().parents[3] / "test-results"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": ["--no-sandbox", "--disable-dev-shm-usage"]}  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900},
            "accept_downloads": True}  # fmt: skip


@pytest.fixture(scope="module")
def server(module_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("server") / "uvicorn.log"
    running = Server(f"sqlite:///{module_data / 'trainplan.db'}", log).start()
    yield running
    running.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


class Watched:
    """A page whose requests and console are watched, signed in through the form."""

    def __init__(self, page: Page, server: Server) -> None:
        self.page = page
        self.base = server.url
        self.problems: list[str] = []
        host = urlsplit(server.url).netloc
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", lambda request: self._request(request.url, host))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # A page answered 4xx (a form shown again with its errors, at 422) is logged as
        # "Failed to load resource": the journey asserts on that page itself; a failed asset
        # or fetch is caught by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")

    def _request(self, url: str, host: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != host:
            self.problems.append(f"request to another host: {url}")

    def go(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def sign_in(self, token: str) -> Page:
        self.page.context.clear_cookies()
        self.go("/login")
        self.page.get_by_label("Access token").fill(token)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r".*/$"))
        return self.page


@pytest.fixture
def web(page: Page, server: Server, request: pytest.FixtureRequest) -> Iterator[Watched]:
    watched = Watched(page, server)
    yield watched
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SHOTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-120:]
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert not watched.problems, "\n".join(watched.problems)


__all__ = ["Browser", "Watched"]
