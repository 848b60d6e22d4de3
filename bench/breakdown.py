"""Where a write's time goes, in process: N writes through
`fastapi.testclient.TestClient(create_app(settings))`, timing the pieces of each (the command,
the read models' catch-up, the sealing, the idempotency keys, the rest of the HTTP stack);
every patch it needs is on objects of this process only. The read models' catch-up and the
sealing run in the server's background threads (the projection follower and the sealer), off
the write's path: their time is shown apart, per write, and is not part of the write's."""

from __future__ import annotations

import contextlib
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

import projections.runner as runner
from bench.clients import GROUP, REGISTRAR, WRITER, auth, make_requests
from bench.wiring import app_in_process, resources_of
from projections import integrity

BACKGROUND = ("trainplan-follower", "trainplan-sealer")  # the server's background threads


class Timings:
    def __init__(self) -> None:
        self.total: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                where = name
                if threading.current_thread().name in BACKGROUND:
                    where = f"{name} [background]"
                self.total[where] += time.perf_counter() - began
                self.calls[where] += 1

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
    app = app_in_process(url)
    t = Timings()
    statements: Counter[str] = Counter()
    with TestClient(app) as client, contextlib.ExitStack() as stack:
        resources = resources_of(app)
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
        labels += [f"{label} [background]" for label in labels]
        # the group, then a warm-up, then the timed writes
        response = client.post("/api/v1/groups", json=GROUP, headers=auth(REGISTRAR))
        if response.status_code != 201:
            raise RuntimeError(f"registering the group: {response.status_code} {response.text}")
        group_id = str(response.json()["id"])
        write = make_requests(group_id, idempotency_key)["write"]
        trivial = make_requests("", False)["trivial"]
        for sequence in range(min(50, writes)):
            write(client, 0, sequence)
            trivial(client, 0, sequence)
        t.clear()
        statements.clear()
        began = time.perf_counter()
        for sequence in range(writes):
            status = write(client, 1, sequence).status_code
            if status != 201:
                raise RuntimeError(f"write answered {status}")
        elapsed = time.perf_counter() - began
        per_write = {label: t.total[label] / writes * 1000 for label in labels}
        calls = {label: t.calls[label] / writes for label in labels}
        began = time.perf_counter()
        for sequence in range(writes):
            trivial(client, 1, sequence)
        trivial_ms = (time.perf_counter() - began) / writes * 1000
        asked_ms, plain_ms = read_your_writes(client, write, group_id, min(writes, 200))
    total_ms = elapsed / writes * 1000
    top = [label for label in labels if not label.startswith(" ") and "[" not in label]
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
        f"   a write, then the needs register asking to see it (Trainplan-Min-Position): the "
        f"read\n   p50 {asked_ms:.2f} ms, the same read asking nothing {plain_ms:.2f} ms"
    )
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
        "read_asking_for_the_write_p50_ms": round(asked_ms, 3),
        "read_p50_ms": round(plain_ms, 3),
        "statements_per_write": {k: round(v / writes, 2) for k, v in statements.items()},
    }


def read_your_writes(
    client: TestClient, write: Callable[..., Any], group_id: str, count: int
) -> tuple[float, float]:
    """`count` writes, each followed by a read of the needs register that asks to see it and
    the same read asking nothing: the two reads' p50 in ms (what seeing one's write costs)."""
    asked: list[float] = []
    plain: list[float] = []
    params = {"group_id": group_id, "limit": 1}
    for sequence in range(count):
        written = write(client, 2, sequence)
        began = time.perf_counter()
        position = written.headers.get("Trainplan-Position", "0")
        headers = {**auth(WRITER), "Trainplan-Min-Position": position}
        seen = client.get("/api/v1/needs-register", params=params, headers=headers)
        middle = time.perf_counter()
        client.get("/api/v1/needs-register", params=params, headers=auth(WRITER))
        asked.append(middle - began)
        plain.append(time.perf_counter() - middle)
        if seen.status_code != 200:
            raise RuntimeError(f"the read asking for {position} answered {seen.status_code}")
    return statistics.median(asked) * 1000, statistics.median(plain) * 1000
