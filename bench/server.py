"""The real server under uvicorn: started in its own session on a free port with the demo
tokens, waited for until every worker has started, stopped with all its workers."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.wiring import APP_FACTORY

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerFailed(RuntimeError):
    """The server exited (or never answered) before all its workers had started."""

    @property
    def reason(self) -> str:
        lines = str(self).splitlines() or ["?"]
        raised = [line for line in lines if re.match(r"[\w.]+(Error|Exception)\w*: ", line)]
        return (raised or lines)[-1].strip()[:160]


class Server:
    """uvicorn in its own session (so every worker is stopped and counted), demo tokens."""

    def __init__(self, database_url: str, workers: int, log_path: Path) -> None:
        self.database_url = database_url
        self.workers = workers
        self.log_path = log_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def postgres(self) -> bool:
        return not self.database_url.startswith("sqlite")

    def start(self, wait: float = 90.0) -> Server:
        """Starts uvicorn and returns once every worker has run its startup (the log says so
        once per worker) and /health answers; raises ServerFailed if it exits first."""
        env = {**os.environ, "TRAINPLAN_DATABASE_URL": self.database_url}
        for name in ("TRAINPLAN_TOKENS", "TRAINPLAN_TOKENS_FILE", "TRAINPLAN_SEAL_KEY"):
            env.pop(name, None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", APP_FACTORY,
                 "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(self.workers), "--log-level", "info", "--no-access-log"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise ServerFailed(self.log_tail())
            started = self.log_tail(None).count("Application startup complete")
            try:
                if (
                    started >= self.workers
                    and httpx.get(self.url + "/health", timeout=1).status_code == 200
                ):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise ServerFailed(f"did not start in {wait:.0f} s\n{self.log_tail()}")

    def log_tail(self, chars: int | None = 3000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
            return text[-chars:] if chars else text
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def start_server(url: str, workers: int, logs: Path, failures: list[str]) -> Server:
    """The server, started again (new port, new log) if it fails to start, up to 3 times; each
    failure is printed and appended to `failures`. Several workers starting together on
    PostgreSQL race in their DDL (the eventsourcing recorder's CREATE OR REPLACE FUNCTION fails
    with "tuple concurrently updated"), and uvicorn then stops them all."""
    attempts = 3
    for attempt in range(1, attempts + 1):
        server = Server(url, workers, logs / f"server-{attempt}.log")
        try:
            return server.start()
        except ServerFailed as failed:
            failures.append(failed.reason)
            print(
                f"   the server failed to start (attempt {attempt} of {attempts}): {failed.reason}"
            )
            if attempt == attempts:
                print(str(failed), file=sys.stderr)
                raise
        except BaseException:  # interrupted while starting: no server left behind
            server.stop()
            raise
    raise AssertionError("unreachable")
