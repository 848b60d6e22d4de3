"""Read-your-writes over HTTP, without making writes wait for the read models.

A write answers as soon as its events are stored; the server's projection follower brings the
read models up behind it (`projections.follower`). So that a client can still see what it
wrote:

- every successful write (any method but GET, HEAD and OPTIONS, answered below 400) carries
  `Trainplan-Position: N`, the position (notification id) of the last event it recorded, and
  the same number in a cookie, `trainplan_position` (browsers and cookie-keeping clients, the
  test client among them, then see their own writes with nothing to do);
- a read may ask to see at least a position: the header `Trainplan-Min-Position: N`, the query
  parameter `min_position=N`, or the cookie. It then waits until the read models it reads have
  reached N, at most `read_wait_seconds` (5 s), and answers as usual; past that it answers
  **503** (problem+json naming the position asked and each read model's position, with
  `Retry-After`), never silently stale. A read of one resource by its id (`GET
  /api/v1/needs/{id}`) reads the event store itself and never waits.

A header or query value that is not a whole number is a 422 naming it; one beyond the store's
last event (a cookie from another store) is ignored for the cookie and a 422 otherwise.

A read model that could not apply an event carries on past it (`projections.quarantine`), so
reaching a position does not mean showing every event up to it. A read that asked to see a
position, where a read model it reads holds quarantined events at or below it, answers with
`Trainplan-Quarantined: needs@12 (Identified), ...` (the read model, the event's position and
type; at most ten): the answer lacks those events' changes until `trainplan projections retry`
applies them. Never silently stale."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import PROBLEM_JSON, problem_response
from api.stack import Stack, recording_positions
from projections import READ_MODEL_NAMES

READS = frozenset({"GET", "HEAD", "OPTIONS"})
POSITION = "Trainplan-Position"
MIN_POSITION = "Trainplan-Min-Position"
QUERY = "min_position"
COOKIE = "trainplan_position"
STEP = 0.005  # seconds between looks at the read models' positions while a read waits
RETRY_AFTER = "1"
QUARANTINED = "Trainplan-Quarantined"

ALL = READ_MODEL_NAMES
# Which read models a GET reads, by its path (the first that matches); unlisted paths: all.
VIEWS_READ: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(pattern), views)
    for pattern, views in [
        (r"^/api/v1/needs-register", ("needs",)),
        (r"^/api/v1/facility-calendar", ("facilities", "cycles")),
        (r"^/api/v1/facility-", ("facilities",)),
        (r"^/api/v1/facilities/[^/]+/calendar", ("facilities", "cycles")),
        (r"^/api/v1/facilities/[^/]+/utilisation", ("facilities",)),
        (r"^/api/v1/group-training-time", ("group_time",)),
        (r"^/api/v1/centre-proposals", ("centres",)),
        (r"^/api/v1/(planning-cycles|optimisation-runs|cost-lines|prospectus)", ("cycles",)),
        (r"^/api/v1/cycles/[^/]+/(costs|runs|prospectus)/?$", ("cycles",)),
        (r"^/api/v1/audit/(events|trail)", ("audit",)),
        (r"^/api/v1/audit/", ()),  # as-of, verify, export: the event store itself
        (r"^/api/v1/(groups|needs|facilities|centres|cycles)(/|$)", ()),  # aggregates by id
        (r"^/(health|docs|redoc|openapi\.json)|^/api/v1/whoami", ()),
    ]
]


def views_read(path: str) -> tuple[str, ...]:
    """The read models a GET of `path` reads (empty: none, it reads the event store)."""
    for pattern, views in VIEWS_READ:
        if pattern.search(path):
            return views
    return ALL


class ReadYourWritesMiddleware:
    """Pure ASGI middleware: stamps a write's answer with its position; holds a read that asks
    for a position until the read models it reads have reached it (see the module)."""

    def __init__(self, app: ASGIApp, stack_getter: Callable[[Scope], Stack | None]) -> None:
        self.app = app
        self.stack_getter = stack_getter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stack = self.stack_getter(scope)
        if stack is None or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
        elif scope["method"] in READS:
            await self._read(stack, scope, receive, send)
        else:
            await self._write(scope, receive, send)

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = _cookie(scope) or 0
        with recording_positions() as written:

            async def stamped(message: Message) -> None:
                if (
                    message["type"] == "http.response.start"
                    and message["status"] < 400
                    and written.position
                ):
                    position = str(written.position).encode()
                    cookie = f"{COOKIE}={max(written.position, asked)}; Path=/; HttpOnly; "
                    message["headers"] = [
                        *message.get("headers", []),
                        (POSITION.lower().encode(), position),
                        (b"set-cookie", (cookie + "SameSite=Lax").encode()),
                    ]
                await send(message)

            await self.app(scope, receive, stamped)

    async def _read(self, stack: Stack, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        asked, field = request.headers.get(MIN_POSITION), f"header.{MIN_POSITION}"
        if asked is None:
            asked, field = request.query_params.get(QUERY), f"query.{QUERY}"
        position: int | None
        if asked is not None:
            position = _whole(asked)
            if position is None:
                response = problem_response(
                    request, 422, "invalid-value", "A value breaks a rule",
                    f"{field}: must be a whole number, 0 or more (a Trainplan-Position a write "
                    f"answered), not {asked[:40]!r}",
                    field=field, rule="must be a whole number, 0 or more",
                )  # fmt: skip
                await response(scope, receive, send)
                return
        else:
            position, field = _cookie(scope), f"cookie.{COOKIE}"
        names = views_read(scope["path"])
        follower = stack.follower
        if not position or not names or follower is None:
            await self.app(scope, receive, send)
            return
        positions = follower.positions
        behind = positions.behind(position, names, fresh=False)
        if behind:
            head = await run_in_threadpool(positions.head, position)
            if position > head:
                if field.startswith("cookie."):  # from another store, or one started afresh
                    await self.app(scope, receive, send)
                    return
                response = problem_response(
                    request, 422, "invalid-value", "A value breaks a rule",
                    f"{field}: position {position} is beyond the store's last event ({head})",
                    field=field, rule="must be a position this store has reached",
                )  # fmt: skip
                await response(scope, receive, send)
                return
            follower.hurry()
            behind = await _wait(stack, position, names)
        if behind:
            shown = ", ".join(f"{name} at {at}" for name, at in sorted(behind.items()))
            waited = stack.settings.read_wait_seconds
            response = problem_response(
                request, 503, "not-caught-up", "The read models have not caught up yet",
                f"asked to see position {position} ({field}); after {waited:g} s the read "
                f"models this reads are at: {shown}. Retry shortly; /health shows how far "
                "they are behind.",
                {"Retry-After": RETRY_AFTER},
                min_position=position, positions=behind,
            )  # fmt: skip
            await response(scope, receive, send)
            return
        held = [
            entry
            for entry in await run_in_threadpool(stack.projections.quarantined, names)
            if entry.position <= position
        ]
        if not held:
            await self.app(scope, receive, send)
            return
        named = ", ".join(f"{e.view}@{e.position} ({e.event_type})" for e in held[:10]).encode()

        async def flagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (QUARANTINED.lower().encode(), named),
                ]
            await send(message)

        await self.app(scope, receive, flagged)


async def _wait(stack: Stack, position: int, names: tuple[str, ...]) -> dict[str, int]:
    """Waits (without holding a thread) until `names` reach `position` or the read wait is
    over; the read models still behind then, with their positions."""
    follower = stack.follower
    assert follower is not None
    positions = follower.positions
    deadline = time.monotonic() + stack.settings.read_wait_seconds
    while True:
        await asyncio.sleep(STEP)
        if positions.pushed:  # this process drives them: its own figures are current
            behind = positions.behind(position, names, fresh=False)
        else:  # another process does: read the tracking table (at most every few ms)
            behind = await run_in_threadpool(positions.behind, position, names)
        if not behind or time.monotonic() >= deadline:
            return behind


def _whole(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _cookie(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie" and COOKIE.encode() in value:
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:
                return None
            morsel = cookie.get(COOKIE)
            return _whole(morsel.value) if morsel is not None else None
    return None


def document(schema: dict[str, Any]) -> None:
    """Adds to the OpenAPI document: `Trainplan-Position` on every write's successful answers,
    `Trainplan-Min-Position` and `min_position` on every read that reads the read models, and
    its 503."""
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method.upper() in READS:
                if not views_read(path):
                    continue
                operation.setdefault("parameters", []).extend(
                    [
                        {
                            "name": MIN_POSITION,
                            "in": "header",
                            "required": False,
                            "description": "See at least this position (a write's "
                            f"`{POSITION}`): the read waits for the read models it reads to "
                            "reach it, at most a few seconds, else answers 503.",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                        {
                            "name": QUERY,
                            "in": "query",
                            "required": False,
                            "description": f"The same as the `{MIN_POSITION}` header.",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                    ]
                )
                operation.setdefault("responses", {}).setdefault(
                    "503",
                    {
                        "description": "The read models had not reached the position asked "
                        "within the wait (the body names each one's position; see Retry-After)",
                        "content": {
                            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
                        },
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    },
                )
                for code, response in operation.get("responses", {}).items():
                    if code.startswith("2"):
                        response.setdefault("headers", {})[QUARANTINED] = {
                            "description": "Only on a read that asked to see a position: the "
                            "events at or below it that a read model this reads could not "
                            "apply (quarantined), as `view@position (EventType)`; the answer "
                            "lacks their changes until `trainplan projections retry`",
                            "schema": {"type": "string"},
                        }
                continue
            for code, response in operation.get("responses", {}).items():
                if code.startswith("2"):
                    response.setdefault("headers", {})[POSITION] = {
                        "description": "The position of the last event this write recorded: "
                        f"send it back as `{MIN_POSITION}` on a read to see the write",
                        "schema": {"type": "integer"},
                    }
