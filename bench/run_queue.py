"""Reads while an optimisation run solves: in the API process, or in a `trainplan worker`.

Records a scenario in a scratch store through the application's commands (`--scenario`: XL,
the generated full year of the force, `bench/scenario_store.py`, by default; S, M, L; or
`demo`, `trainplan demo`'s), then, on the real server (uvicorn, one process, the demo tokens),
measures reads with `--clients` clients for `--seconds` (GET /api/v1/needs-register?limit=50,
the needs register, as the TMB) three times:

- `idle`: no run;
- `in_process`: a run (`--time-limit` seconds, 2 solver workers) solved by the server's own
  worker thread (TRAINPLAN_RUN_WORKERS=1, as before the run queue and still the default);
- `worker_process`: the same run solved by a separate `trainplan worker` process
  (TRAINPLAN_RUN_WORKERS=0 on the server).

Each phase starts the run, waits until a worker holds it (the run's state is no longer
`queued`), measures the reads while it solves, then waits for the run to end. Per phase:
requests per second, p50 and p99, errors, and the cores used by the server and by the machine.
Ends with one JSON line. The machine is shared: its load average is printed beside the figures.

    python bench/run_queue.py [--engine sqlite|postgresql] [--scenario XL|L|M|S|demo]
                              [--time-limit 30] [--seconds 20] [--clients 8]
                              [--pg-url postgresql+psycopg://postgres@127.0.0.1/postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.clients import auth, drive
from bench.databases import database_name, postgres_reachable, scratch_database
from bench.machine import CpuMeter, load_average
from bench.scenario_store import record_scenario
from bench.server import ROOT, Server
from bench.wiring import settings_for

READER = "demo-tmb"


def record(url: str, scenario: str) -> str:
    """The scenario in the store at `url`; returns its cycle's id."""
    from api.cli import demo_scenario
    from api.stack import open_stack

    with open_stack(settings_for(url), planning=False) as stack:
        if scenario == "demo":
            cycle_id = demo_scenario.build(stack.planner)["cycle_id"]
        else:
            cycle_id = record_scenario(stack.planner, scenario)
        stack.catch_up()
    return str(cycle_id)


@contextlib.contextmanager
def worker_process(url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`trainplan worker` in its own session, stopped (SIGTERM) at the end."""
    env = {**os.environ, "TRAINPLAN_DATABASE_URL": url}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def phase(server: Server, cycle: str, args: argparse.Namespace, run: bool) -> dict[str, Any]:
    base = server.url
    headers = auth(READER)
    location = None
    if run:
        started = httpx.post(f"{base}/api/v1/cycles/{cycle}/runs", headers=headers,
                             json={"time_limit": args.time_limit}, timeout=60)  # fmt: skip
        started.raise_for_status()
        location = base + started.headers["Location"]
        deadline = time.monotonic() + 60
        while httpx.get(location, headers=headers, timeout=30).json()["queued"]:
            if time.monotonic() > deadline:
                raise RuntimeError("no worker took the run within 60 s")
            time.sleep(0.1)
    clients = [httpx.Client(base_url=base, headers=headers, timeout=60)
               for _ in range(args.clients)]  # fmt: skip
    try:

        def read(client: httpx.Client, number: int, sequence: int) -> httpx.Response:
            page = {"limit": 50, "offset": sequence % 4 * 50}
            return client.get("/api/v1/needs-register", params=page)

        assert server.process is not None
        sid = os.getsid(server.process.pid)
        database = None if not server.postgres else database_name(server.database_url)
        measure = drive(clients, read, args.seconds, "read", CpuMeter(sid, database))
    finally:
        for client in clients:
            client.close()
    status: dict[str, Any] = {}
    while location is not None:
        status = httpx.get(location, headers=headers, timeout=30).json()
        if status["state"] != "running":
            break
        time.sleep(0.5)
    ran = {"run_state": status.get("state"), "run_worker": status.get("worker")}
    return {**measure.as_dict(), **ran}


def measure_engine(url: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    print(f"recording scenario {args.scenario} in {url.split('@')[-1]} ...", flush=True)
    cycle = record(url, args.scenario)
    results: dict[str, Any] = {}
    for name, workers in (("idle", 1), ("in_process", 1), ("worker_process", 0)):
        os.environ["TRAINPLAN_RUN_WORKERS"] = str(workers)
        server = Server(url, 1, folder / f"server-{name}.log").start()
        try:
            with contextlib.ExitStack() as stack:
                if name == "worker_process":
                    stack.enter_context(worker_process(url, folder / "worker.log"))
                results[name] = phase(server, cycle, args, run=name != "idle")
        finally:
            server.stop()
        row = results[name]
        print(f"  {name:15s} {row['requests_per_s']:8.1f}/s  p50 {row['p50_ms']} ms  "
              f"p99 {row['p99_ms']} ms  server {row['server_cpu_cores']} cores  "
              f"machine {row['machine_cpu_cores']}  errors {row['errors']}  "
              f"run {row['run_state']}  "
              f"load {load_average()}", flush=True)  # fmt: skip
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scenario", choices=("XL", "L", "M", "S", "demo"), default="XL")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)
    if args.seconds >= args.time_limit:
        parser.error("--seconds must be shorter than --time-limit (the reads run while it solves)")
    with tempfile.TemporaryDirectory(prefix="trainplan-runqueue-") as scratch:
        folder = Path(scratch)
        if args.engine == "sqlite":
            results = measure_engine(f"sqlite:///{folder / 'trainplan.db'}", folder, args)
        else:
            if (problem := postgres_reachable(args.pg_url)) is not None:
                print(problem, file=sys.stderr)
                return 1
            with scratch_database(args.pg_url, "trainplan_runqueue") as url:
                results = measure_engine(url, folder, args)
    before, after = results["in_process"]["p99_ms"], results["worker_process"]["p99_ms"]
    print(json.dumps({"engine": args.engine, "clients": args.clients, "seconds": args.seconds,
                      "time_limit": args.time_limit, "scenario": args.scenario, "phases": results,
                      "read_p99_ms": {"idle": results["idle"]["p99_ms"], "in_process": before,
                                      "worker_process": after},
                      "load_average": load_average()}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
