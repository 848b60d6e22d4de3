"""HTTP API benchmark: a write command against the trivial endpoint, on the real server.

Starts the real server (uvicorn, the app factory bench.wiring names, the demo tokens) in a
subprocess on a fresh SQLite file and on a fresh PostgreSQL database and measures, at each
number of concurrent clients (one thread with its own keep-alive httpx client each, loopback
only):

- the write: `POST /api/v1/needs` (identify a training need, as the TP planner, for the group
  registered first), one new aggregate per request;
- the trivial endpoint of the same app, in the same run: `GET /api/v1/whoami` (authenticated,
  touches no store).

A write answers once its events are stored; the server's projection follower applies them to
the read models behind it. After each write measurement the script reads `/health` until the
read models have caught up and prints how far behind they were and how long that took.

For each: successful requests per second, p50 and p99 latency, errors (any non-2xx, counted by
status, and transport errors by name), and the CPU used while it ran (in cores) by the server's
processes, by the PostgreSQL backends of its database, by this client process and by the whole
machine (other people's work included: the load on the machine before each engine is printed
too). Then the ratio write rate / trivial rate and whether the aim is met: at least 30% of the
trivial endpoint's rate with the write's p99 under 100 ms at 32 clients on PostgreSQL. Every
write adds a need to the same group; the count is printed, as a write may cost more as it grows.
Ends with one JSON line.

    python bench/api.py [--seconds 5] [--clients 1,8,32] [--engines sqlite,postgresql]
                        [--workers N] [--warmup 1] [--idempotency-key] [--read-after-write]
                        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
    python bench/api.py --breakdown 300     # where a write's time goes, in process

`--workers` defaults to 1 on SQLite and 4 on PostgreSQL (several workers sharing PostgreSQL is
the production shape). The tables are created first in this process (as a deployment migrates
before it starts its workers), and a server whose workers fail to start is started again, up to
three times, each failure printed: workers starting together on PostgreSQL race in their DDL.

`--breakdown N` instead runs N writes per engine in this process through
`fastapi.testclient.TestClient(create_app(settings))`, timing the pieces of each write (the
command, the idempotency keys, the rest of the HTTP stack; the read models' catch-up and the
sealing, which run in the server's background threads, shown apart), then a read of the needs
register asking to see each write against the same read asking nothing; every patch it needs
is on objects of this process only.

The load generator is Python too and shares the machine's cores with the server: read the
client CPU column before reading a rate as the server's ceiling.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

if __name__ == "__main__":  # run as `python bench/NAME.py`: the repository on the path
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.breakdown import breakdown
from bench.clients import (
    ENDPOINTS,
    WRITER,
    Measure,
    Request,
    auth,
    drive,
    make_requests,
    register_group,
)
from bench.databases import DEFAULT_PG, postgres_reachable, scratch_database
from bench.machine import CpuMeter, background_load
from bench.server import Server, start_server
from bench.wiring import prepare_store

AIM_ENGINE, AIM_CLIENTS, AIM_RATIO, AIM_P99_MS = "postgresql", 32, 0.30, 100.0
JOURNEY = "write, then read it"


def read_after_write(write: Request, group_id: str) -> Request:
    """The write, then a read of the needs register that asks to see it
    (`Trainplan-Min-Position`: it waits for the read model to reach the write): what a client
    that must see its own write pays. A 503 (not caught up in time) counts as an error."""
    headers = auth(WRITER)

    def journey(client: httpx.Client, number: int, sequence: int) -> httpx.Response:
        written = write(client, number, sequence)
        if written.status_code != 201:
            return written
        return client.get(
            "/api/v1/needs-register",
            params={"group_id": group_id, "limit": 1},
            headers={**headers, "Trainplan-Min-Position": written.headers["Trainplan-Position"]},
        )

    return journey


@contextlib.contextmanager
def scratch_store(engine: str, admin_url: str) -> Iterator[str]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="trainplan-bench-api-") as folder:
            yield f"sqlite:///{folder}/bench.db"
    else:
        with scratch_database(admin_url, "trainplan_bench_api") as url:
            yield url


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
            if args.read_after_write:
                requests[JOURNEY] = read_after_write(requests["write"], group_id)
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
        names = ("trivial", "write", JOURNEY) if args.read_after_write else ("trivial", "write")
        for name in names:
            if args.warmup > 0:
                warm = drive(clients, requests[name], args.warmup, name, CpuMeter())
                written[0] += warm.ok if name == "write" else 0
            before = written[0]
            measure = drive(clients, requests[name], args.seconds, name, CpuMeter(sid, database))
            if server.process is not None and server.process.poll() is not None:
                raise RuntimeError(f"the server died (exit {server.process.returncode})")
            run[name] = measure.as_dict()
            if name in ("write", JOURNEY):
                written[0] += measure.ok
                run[name]["group_needs_before"] = before
            print_row(count, ENDPOINTS.get(name, name), measure)
            if name == "write":
                run[name] |= read_models_follow(server.url)
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


def read_models_follow(url: str, limit: float = 60.0) -> dict[str, Any]:
    """Writes answer before the read models have applied them: how many events the slowest
    read model was behind when the writes stopped (`/health`'s lag), and how long it took to
    reach the last one."""
    began = time.monotonic()
    lag = first = httpx.get(url + "/health", timeout=10).json().get("lag")
    while lag and time.monotonic() - began < limit:
        time.sleep(0.005)
        lag = httpx.get(url + "/health", timeout=10).json().get("lag")
    caught_up = None if lag else 0.0 if not first else round((time.monotonic() - began) * 1000, 1)
    print(
        f"{'':>7}  read models {first} events behind when the writes stopped"
        + (f", caught up {caught_up:.0f} ms later" if caught_up else "")
        + (", NOT caught up" if caught_up is None else "")
    )
    return {"read_models_lag_at_end": first, "read_models_caught_up_ms": caught_up}


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
        "--read-after-write",
        action="store_true",
        help="also measure a write followed by a read that asks to see it",
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
