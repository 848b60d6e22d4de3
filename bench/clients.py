"""The load: clients sending one request back to back for a while, what they measured, and the
two requests of the HTTP benchmark (a write and the trivial endpoint)."""

from __future__ import annotations

import secrets
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.machine import CpuMeter

WRITER = "demo-planner-tp"  # a planner for group TP: may identify a need for TP
REGISTRAR = "demo-lspu"  # LSPU: may register the group
GROUP = {"name": "Territorial Policing", "code": "TP", "officers": 21449, "staff": 5757}

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
