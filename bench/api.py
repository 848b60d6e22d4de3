"""HTTP API benchmark: a write command against the trivial endpoint, on the real server.

Starts the real server (uvicorn, `api.http.app:create_app`, the demo tokens) in a subprocess on a
fresh SQLite file and on a fresh PostgreSQL database and measures, at each number of concurrent
clients (one thread with its own keep-alive httpx client each, loopback only):

- the write: `POST /api/v1/needs` (identify a training need, as the TP planner, for the group
  registered first), one new aggregate per request;
- the trivial endpoint of the same app, in the same run: `GET /api/v1/whoami` (authenticated,
  touches no store).

For each: successful requests per second, p50 and p99 latency, errors (any non-2xx, counted by
status, and transport errors by name), and the CPU used while it ran (in cores) by the server's
processes, by the PostgreSQL backends of its database, by this client process and by the whole
machine (other people's work included: the load on the machine before each engine is printed
too). Then the ratio write rate / trivial rate and whether the aim is met: at least 30% of the
trivial endpoint's rate with the write's p99 under 100 ms at 32 clients on PostgreSQL. Every
write adds a need to the same group; the count is printed, as a write may cost more as it grows.
Ends with one JSON line.

    python bench/api.py [--seconds 5] [--clients 1,8,32] [--engines sqlite,postgresql]
                        [--workers N] [--warmup 1] [--idempotency-key]
                        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
    python bench/api.py --breakdown 300     # where a write's time goes, in process

`--workers` defaults to 1 on SQLite and 4 on PostgreSQL (several workers sharing PostgreSQL is
the production shape). The tables are created first in this process (as a deployment migrates
before it starts its workers), and a server whose workers fail to start is started again, up to
three times, each failure printed: workers starting together on PostgreSQL race in their DDL.

`--breakdown N` instead runs N writes per engine in this process through
`fastapi.testclient.TestClient(create_app(settings))`, timing the pieces of each write (the
command, the read models' catch-up, the sealing, the idempotency keys, the rest of the HTTP
stack); every patch it needs is on objects of this process only.

The load generator is Python too and shares the machine's cores with the server: read the
client CPU column before reading a rate as the server's ceiling.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
WRITER = "demo-planner-tp"  # a planner for group TP: may identify a need for TP
REGISTRAR = "demo-lspu"  # LSPU: may register the group
GROUP = {"name": "Territorial Policing", "code": "TP", "officers": 21449, "staff": 5757}
AIM_ENGINE, AIM_CLIENTS, AIM_RATIO, AIM_P99_MS = "postgresql", 32, 0.30, 100.0
TICK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting (Linux /proc) -----------------------------------------------------------


def _cpu_by_pid(sid: int | None, database: str | None) -> dict[int, tuple[str, int]]:
    """CPU ticks (user + system) of the server's processes (session `sid`) and of the
    PostgreSQL backends of `database`, by pid."""
    found: dict[int, tuple[str, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()  # from "state" on
            ticks = int(fields[11]) + int(fields[12])
            if sid is not None and int(fields[3]) == sid:
                found[int(entry)] = ("server", ticks)
            elif database is not None:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    title = cmdline.read()
                if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
                    found[int(entry)] = ("db", ticks)
        except (OSError, IndexError, ValueError):
            continue
    return found


def _machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / TICK


class CpuMeter:
    """Cores used, on average, while the block ran: by the server's processes, by the
    PostgreSQL backends of its database (those alive at the end: a backend that came and went
    inside the block is missed), by this process (the clients) and by the whole machine."""

    def __init__(self, sid: int | None = None, database: str | None = None) -> None:
        self.sid, self.database = sid, database

    def __enter__(self) -> CpuMeter:
        self.before = _cpu_by_pid(self.sid, self.database)
        self.client = time.process_time()
        self.machine = _machine_busy()
        self.wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.wall
        after = _cpu_by_pid(self.sid, self.database)
        used: Counter[str] = Counter()
        for pid, (group, ticks) in after.items():
            used[group] += ticks - self.before.get(pid, (group, 0))[1]
        self.server_cores = used["server"] / TICK / wall
        self.db_cores = used["db"] / TICK / wall
        self.client_cores = (time.process_time() - self.client) / wall
        self.machine_cores = (_machine_busy() - self.machine) / wall


def background_load(seconds: float = 1.0) -> float:
    """Cores the machine keeps busy without us (other people's work)."""
    with CpuMeter() as cpu:
        time.sleep(seconds)
    return cpu.machine_cores


# --- the server -----------------------------------------------------------------------------


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
                [sys.executable, "-m", "uvicorn", "--factory", "api.http.app:create_app",
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


# --- the databases --------------------------------------------------------------------------


def _libpq(url: str) -> str:
    """postgresql+psycopg://... -> postgresql://... (what psycopg.connect takes)."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


@contextlib.contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """A fresh database (URL for the server), dropped at the end even on error."""
    import psycopg

    name = f"trainplan_bench_api_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(_libpq(admin_url), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        try:
            with psycopg.connect(_libpq(admin_url), autocommit=True, connect_timeout=5) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as error:
            print(f"  could not drop scratch database {name}: {error}", file=sys.stderr)


def prepare_store(url: str) -> None:
    """Creates every table once, in this process, before the server starts: several workers
    starting together on a fresh PostgreSQL database race in their `create_all` (one of them
    fails with a duplicate pg_type and uvicorn stops them all), as a deployment would migrate
    first."""
    import logging

    from api.settings import Settings
    from api.stack import open_stack

    logging.getLogger("trainplan.api").setLevel(logging.ERROR)  # the demo-token warning
    settings = Settings(database_url=url, tokens=None, tokens_file=None, seal_key=None)
    open_stack(settings).close()


def postgres_reachable(admin_url: str) -> str | None:
    """None if we can connect, else why not."""
    try:
        import psycopg

        with psycopg.connect(_libpq(admin_url), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as error:
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"


@contextlib.contextmanager
def scratch_store(engine: str, admin_url: str) -> Iterator[str]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="trainplan-bench-api-") as folder:
            yield f"sqlite:///{folder}/bench.db"
    else:
        with scratch_postgres(admin_url) as url:
            yield url


# --- the load -------------------------------------------------------------------------------


Request = Callable[[httpx.Client, int, int], httpx.Response]


@dataclass
class Measure:
    label: str
    clients: int
    seconds: float = 0.0
    ok: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: Counter[str] = field(default_factory=Counter)
    server_cores: float = 0.0
    db_cores: float = 0.0
    client_cores: float = 0.0
    machine_cores: float = 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def as_dict(self) -> dict[str, Any]:
        p50, p99 = self.percentile(50), self.percentile(99)
        return {
            "requests_per_s": round(self.rate, 1),
            "ok": self.ok,
            "p50_ms": None if p50 is None else round(p50, 2),
            "p99_ms": None if p99 is None else round(p99, 2),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 2)
            if self.latencies
            else None,
            "errors": dict(self.errors),
            "server_cpu_cores": round(self.server_cores, 2),
            "db_cpu_cores": round(self.db_cores, 2),
            "client_cpu_cores": round(self.client_cores, 2),
            "machine_cpu_cores": round(self.machine_cores, 2),
        }


def drive(
    clients: list[httpx.Client], request: Request, seconds: float, label: str, meter: CpuMeter
) -> Measure:
    """Every client sends `request` back to back for `seconds`; none starts one after that."""
    measure = Measure(label, len(clients))
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)
    window: dict[str, float] = {}

    def worker(number: int) -> None:
        client = clients[number]
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        sequence = 0
        start.wait()
        deadline = window["deadline"]
        while True:
            began = time.perf_counter()
            if began >= deadline:
                break
            try:
                response = request(client, number, sequence)
                status = response.status_code
            except Exception as error:  # transport errors, timeouts: counted by name
                status = None
                errors[type(error).__name__] += 1
            took = time.perf_counter() - began
            sequence += 1
            if status is not None:
                if 200 <= status < 300:
                    latencies.append(took)
                else:
                    errors[str(status)] += 1
        with lock:
            measure.latencies.extend(latencies)
            measure.errors.update(errors)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    with meter as cpu:
        began = time.perf_counter()
        window["deadline"] = began + seconds
        start.wait()
        for thread in threads:
            thread.join()
        measure.seconds = time.perf_counter() - began  # up to the last answer
    measure.ok = len(measure.latencies)
    measure.server_cores = cpu.server_cores
    measure.db_cores = cpu.db_cores
    measure.client_cores = cpu.client_cores
    measure.machine_cores = cpu.machine_cores
    return measure


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register_group(base: str) -> str:
    response = httpx.post(f"{base}/api/v1/groups", json=GROUP, headers=auth(REGISTRAR), timeout=60)
    if response.status_code != 201:
        raise RuntimeError(f"registering the group: {response.status_code} {response.text}")
    return str(response.json()["id"])


def make_requests(group_id: str, idempotency_key: bool) -> dict[str, Request]:
    run = secrets.token_hex(3)
    write_headers = auth(WRITER)
    whoami_headers = auth(WRITER)

    def write(client: httpx.Client, number: int, sequence: int) -> httpx.Response:
        headers = write_headers
        if idempotency_key:
            headers = {**write_headers, "Idempotency-Key": uuid.uuid4().hex}
        body = {
            "group_id": group_id,
            "title": f"Bench need {run}-{number}-{sequence}",
            "trigger": "incident",
        }
        return client.post("/api/v1/needs", json=body, headers=headers)

    def trivial(client: httpx.Client, number: int, sequence: int) -> httpx.Response:
        return client.get("/api/v1/whoami", headers=whoami_headers)

    return {"write": write, "trivial": trivial}


ENDPOINTS = {"write": "POST /api/v1/needs", "trivial": "GET /api/v1/whoami"}


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


def bench_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    workers = args.workers or (1 if engine == "sqlite" else 4)
    result: dict[str, Any] = {"workers": workers, "runs": []}
    with (
        tempfile.TemporaryDirectory(prefix="trainplan-bench-api-log-") as logs,
        scratch_store(engine, args.pg_url) as url,
    ):
        shown = url if engine == "sqlite" else url.rsplit("/", 1)[-1]
        print(f"\n== {engine}: {workers} uvicorn worker(s), fresh store {shown}")
        result["background_cores"] = round(background_load(), 2)
        print(
            f"   before starting: {result['background_cores']:.2f} of {os.cpu_count()} cores "
            "busy with other work on this machine"
        )
        prepare_store(url)
        result["start_failures"] = []
        server = start_server(url, workers, Path(logs), result["start_failures"])
        try:
            group_id = register_group(server.url)
            requests = make_requests(group_id, args.idempotency_key)
            print(
                "   CPU columns: cores used on average while measuring, by the server's processes,"
                "\n   the PostgreSQL backends of its database, this load generator, the machine."
            )
            print(
                f"{'clients':>7}  {'endpoint':<19} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
                f"  {'CPU: server':>11} {'db':>5} {'client':>6} {'machine':>7}  errors"
            )
            written = [0]  # needs recorded so far: every write adds one to the same group
            for count in args.clients:
                result["runs"].append(bench_clients(server, requests, count, args, written))
        except Exception:
            print(server.log_tail(), file=sys.stderr)
            raise
        finally:
            server.stop()
    return result


def bench_clients(
    server: Server,
    requests: dict[str, Request],
    count: int,
    args: argparse.Namespace,
    written: list[int],
) -> dict[str, Any]:
    """Both endpoints at `count` clients, each after its warm-up, on the same connections.
    `written` counts the needs the group holds (the write's cost may grow with it)."""
    sid = server.process.pid if server.process else None
    database = urlsplit(server.database_url).path.lstrip("/") if server.postgres else None
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.Client(base_url=server.url, timeout=60, limits=limits) for _ in range(count)]
    try:
        run: dict[str, Any] = {"clients": count}
        for name in ("trivial", "write"):
            if args.warmup > 0:
                warm = drive(clients, requests[name], args.warmup, name, CpuMeter())
                written[0] += warm.ok if name == "write" else 0
            before = written[0]
            measure = drive(clients, requests[name], args.seconds, name, CpuMeter(sid, database))
            if server.process is not None and server.process.poll() is not None:
                raise RuntimeError(f"the server died (exit {server.process.returncode})")
            run[name] = measure.as_dict()
            if name == "write":
                written[0] += measure.ok
                run[name]["group_needs_before"] = before
            print_row(count, ENDPOINTS[name], measure)
    finally:
        for client in clients:
            client.close()
    trivial_rate = run["trivial"]["requests_per_s"]
    ratio = run["write"]["requests_per_s"] / trivial_rate if trivial_rate else None
    run["ratio"] = None if ratio is None else round(ratio, 3)
    print(
        f"{'':>7}  write/trivial = {_fmt(ratio, '.3f')}   (the group held "
        f"{run['write']['group_needs_before']} needs when the write was measured)"
    )
    return run


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_row(clients: int, endpoint: str, m: Measure) -> None:
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(m.errors.items())) or "0"
    print(
        f"{clients:>7}  {endpoint:<19} {m.rate:>8.1f} {_fmt(m.percentile(50), '8.1f')} "
        f"{_fmt(m.percentile(99), '8.1f')}  {m.server_cores:>11.2f} {m.db_cores:>5.2f} "
        f"{m.client_cores:>6.2f} {m.machine_cores:>7.2f}  {errors}"
    )


def aim(engines: dict[str, Any]) -> dict[str, Any]:
    """The issue's aim: write rate >= 30% of the trivial rate and write p99 < 100 ms, at 32
    clients on PostgreSQL."""
    verdict: dict[str, Any] = {
        "engine": AIM_ENGINE,
        "clients": AIM_CLIENTS,
        "min_ratio": AIM_RATIO,
        "max_write_p99_ms": AIM_P99_MS,
        "met": None,
    }
    runs = engines.get(AIM_ENGINE, {}).get("runs", [])
    run = next((r for r in runs if r["clients"] == AIM_CLIENTS), None)
    if run is None:
        verdict["why"] = f"not measured (needs {AIM_ENGINE} at {AIM_CLIENTS} clients)"
        return verdict
    ratio, p99 = run["ratio"], run["write"]["p99_ms"]
    errors = sum(run["write"]["errors"].values())
    verdict |= {"workers": engines[AIM_ENGINE]["workers"], "ratio": ratio, "write_p99_ms": p99}
    ratio_ok = ratio is not None and ratio >= AIM_RATIO
    p99_ok = p99 is not None and p99 < AIM_P99_MS
    verdict["met"] = bool(ratio_ok and p99_ok and errors == 0)
    verdict["why"] = (
        f"ratio {_fmt(ratio, '.3f')} {'>=' if ratio_ok else '<'} {AIM_RATIO}, "
        f"write p99 {_fmt(p99, '.1f')} ms {'<' if p99_ok else '>='} {AIM_P99_MS:.0f} ms, "
        f"{errors} write errors"
    )
    return verdict


# --- where a write's time goes (in process) -------------------------------------------------


class Timings:
    def __init__(self) -> None:
        self.total: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.total[name] += time.perf_counter() - began
                self.calls[name] += 1

        return timed

    def clear(self) -> None:
        self.total.clear()
        self.calls.clear()


@contextlib.contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    """Sets `target.name` for the block only (objects of this process)."""
    had = name in vars(target)
    old = vars(target).get(name)
    setattr(target, name, value)
    try:
        yield
    finally:
        if had:
            setattr(target, name, old)
        else:
            delattr(target, name)


def breakdown(engine: str, url: str, writes: int, idempotency_key: bool) -> dict[str, Any]:
    import sqlalchemy as sa
    from fastapi.testclient import TestClient

    import projections.runner as runner
    from api.http.app import create_app
    from api.settings import Settings
    from projections import integrity

    settings = Settings(database_url=url, tokens=None, tokens_file=None, seal_key=None)
    app = create_app(settings)
    t = Timings()
    statements: Counter[str] = Counter()
    with TestClient(app) as client, contextlib.ExitStack() as stack:
        resources = app.state.stack
        planner, views = resources.planner, resources.projections
        for engine_name, sa_engine in (
            ("views", views.engine),
            ("idempotency", resources.idempotency.engine),
        ):

            def count(*_: Any, _name: str = engine_name) -> None:
                statements[_name] += 1

            sa.event.listen(sa_engine, "before_cursor_execute", count)
        # the pieces, outermost first; a piece's time includes the pieces inside it
        locks = getattr(views, "_locks", None)
        pieces = [
            (planner, "identify_need", "command: planner.identify_need"),
            (planner, "load", "  load the group"),
            (planner, "save", "  save the new need"),
            (views, "catch_up", "catch-up: Projections.catch_up"),
            (views, "head", "  head (max notification id)"),
            (views, "_positions_of", "  tracking positions"),
            (views, "_take", "  take the view locks"),  # one call per view
            (locks, "try_acquire", "  take the view locks"),  # all views at once
            (views, "_drive", "  drive the views"),
            (runner, "read_events", "    read the new events"),
            (runner, "apply_batch", "    apply the batch, per view"),  # one view at a time
            (runner, "apply_batches", "    apply the batch to every view"),  # all at once
            (views, "_give", "  give the view locks back"),
            (locks, "release", "  give the view locks back"),
            (integrity, "seal", "seal: integrity.seal"),
            (integrity, "_SQLite", "  connect (SQLite)"),
            (integrity, "_Postgres", "  connect (PostgreSQL)"),
            (resources.idempotency, "reserve", "idempotency: reserve key"),
            (resources.idempotency, "complete", "idempotency: complete key"),
        ]
        # whichever the code at hand has (the projections runner changes): skip the others
        pieces = [p for p in pieces if callable(getattr(p[0], p[1], None))]
        for target, name, label in pieces:
            stack.enter_context(patched(target, name, t.wrap(label, getattr(target, name))))
        labels = list(dict.fromkeys(label for _, _, label in pieces))
        # the group, then a warm-up, then the timed writes
        response = client.post("/api/v1/groups", json=GROUP, headers=auth(REGISTRAR))
        if response.status_code != 201:
            raise RuntimeError(f"registering the group: {response.status_code} {response.text}")
        write = make_requests(str(response.json()["id"]), idempotency_key)["write"]
        trivial = make_requests("", False)["trivial"]
        for sequence in range(min(50, writes)):
            write(client, 0, sequence)  # type: ignore[arg-type]
            trivial(client, 0, sequence)  # type: ignore[arg-type]
        t.clear()
        statements.clear()
        began = time.perf_counter()
        for sequence in range(writes):
            status = write(client, 1, sequence).status_code  # type: ignore[arg-type]
            if status != 201:
                raise RuntimeError(f"write answered {status}")
        elapsed = time.perf_counter() - began
        per_write = {label: t.total[label] / writes * 1000 for label in labels}
        calls = {label: t.calls[label] / writes for label in labels}
        began = time.perf_counter()
        for sequence in range(writes):
            trivial(client, 1, sequence)  # type: ignore[arg-type]
        trivial_ms = (time.perf_counter() - began) / writes * 1000
    total_ms = elapsed / writes * 1000
    top = [label for label in labels if not label.startswith(" ")]
    rest = total_ms - sum(per_write[label] for label in top)
    print(f"\n== where a write's time goes: {engine}, {writes} writes in process (TestClient)")
    print(f"   {'piece':<42} {'ms/write':>9} {'share':>6} {'calls':>6}")
    for label, ms in per_write.items():
        if not calls[label]:
            continue  # not on this engine, or not in this version of the code
        print(f"   {label:<42} {ms:>9.2f} {ms / total_ms:>6.0%} {calls[label]:>6.1f}")
    print(f"   {'rest: HTTP, validation, TestClient':<42} {rest:>9.2f} {rest / total_ms:>6.0%}")
    print(f"   {'whole write (client side)':<42} {total_ms:>9.2f}")
    print(f"   {'GET /api/v1/whoami, same client':<42} {trivial_ms:>9.2f}")
    print(
        "   SQL statements per write through SQLAlchemy: "
        + ", ".join(f"{k} {v / writes:.1f}" for k, v in sorted(statements.items()))
    )
    return {
        "engine": engine,
        "writes": writes,
        "write_ms": round(total_ms, 3),
        "trivial_ms": round(trivial_ms, 3),
        "pieces_ms": {
            label.strip(): round(ms, 3) for label, ms in per_write.items() if calls[label]
        },
        "rest_ms": round(rest, 3),
        "statements_per_write": {k: round(v / writes, 2) for k, v in statements.items()},
    }


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each one")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, e.g. 1,8,32")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--workers", type=int, default=None, help="uvicorn workers (default 1 SQLite, 4 PG)"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="admin URL to create the scratch DB")
    parser.add_argument(
        "--idempotency-key", action="store_true", help="send a fresh Idempotency-Key per write"
    )
    parser.add_argument(
        "--breakdown",
        type=int,
        default=0,
        metavar="WRITES",
        help="instead: time the pieces of WRITES writes per engine, in process",
    )
    args = parser.parse_args()
    # a SIGTERM unwinds like Ctrl-C: the server is stopped and the scratch databases dropped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"sqlite", "postgresql"}
    if unknown or not args.clients or min(args.clients) < 1:
        parser.error(f"--engines: sqlite and/or postgresql; --clients: positive ({unknown or ''})")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers: at least 1")

    if "postgresql" in engines and (why := postgres_reachable(args.pg_url)):
        print(f"PostgreSQL at {urlsplit(args.pg_url).netloc} unreachable, skipped: {why}")
        engines.remove("postgresql")

    print(
        f"trainplan HTTP API benchmark: {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, {args.seconds:g} s per measurement after {args.warmup:g} s "
        f"of warm-up, clients {','.join(map(str, args.clients))}"
        + (", an Idempotency-Key on every write" if args.idempotency_key else "")
    )
    if args.breakdown:
        found = {}
        for engine in engines:
            with scratch_store(engine, args.pg_url) as url:
                found[engine] = breakdown(engine, url, args.breakdown, args.idempotency_key)
        print(json.dumps({"bench": "api-breakdown", "engines": found}))
        return

    results: dict[str, Any] = {}
    for engine in engines:
        results[engine] = bench_engine(engine, args)

    verdict = aim(results)
    print("\n== the aim: the write at >= 30% of the trivial endpoint's rate, p99 < 100 ms, at")
    print("   32 clients on PostgreSQL")
    if verdict["met"] is None:
        print(f"   {verdict['why']}")
    else:
        print(f"   {'MET' if verdict['met'] else 'NOT MET'}: {verdict['why']}")
    print(
        f"   ({AIM_CLIENTS} clients each waiting for its answer: mean latency = {AIM_CLIENTS} / "
        f"rate,\n   so a p99 under {AIM_P99_MS:.0f} ms needs well over "
        f"{AIM_CLIENTS / AIM_P99_MS * 1000:.0f} writes/s)"
    )
    print(
        json.dumps(
            {
                "bench": "api",
                "seconds": args.seconds,
                "cpus": os.cpu_count(),
                "idempotency_key": args.idempotency_key,
                "engines": results,
                "aim": verdict,
            }
        )
    )


if __name__ == "__main__":
    main()
