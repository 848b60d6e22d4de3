"""`Idempotency-Key` on POSTs, after the IETF draft "The Idempotency-Key HTTP Header Field".

A client that may retry a POST sends a key of its choosing. The first request with the key is
carried out and its answer kept; a retry with the same key and the same request (method, path,
body) gets that answer again, byte for byte, and records nothing new (`Idempotent-Replayed:
true`). The same key with another request is refused with 422; a retry that arrives while the
first is still being carried out gets 409. Keys are scoped to the bearer token, so two clients
never share one.

The keys live in a small table (`api_idempotency_keys`): in the PostgreSQL database itself, or
for SQLite in a file beside the event store (`<name>.idempotency.db`), so they survive restarts.
A key is reserved before the command runs and completed after: if the server dies in between,
the key stays reserved and a retry is told (409) to check the resource and use a new key,
because the command may or may not have been recorded. Answers 401, 403 and 5xx are not kept
(the key is released), so a retry after fixing the token works."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.store import is_postgres, pool_budget, sqlite_path

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255
KEPT_HEADERS = ("content-type", "location", "etag")

metadata = sa.MetaData()
keys_table = sa.Table(
    "api_idempotency_keys",
    metadata,
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(MAX_KEY_LENGTH), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=True),  # NULL while in progress
    sa.Column("headers", sa.Text, nullable=True),
    sa.Column("body", sa.LargeBinary, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
)


def engine_for(database_url: str) -> sa.Engine:
    if is_postgres(database_url):
        url = database_url
        if url.startswith(("postgresql://", "postgres://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        kept, overflow = pool_budget()  # the connection budget: see domain/store.py
        return sa.create_engine(url, pool_size=kept, max_overflow=overflow, pool_pre_ping=True)
    path = sqlite_path(database_url)
    if path == ":memory:":
        return sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    file = Path(path).expanduser()
    engine = sa.create_engine(
        f"sqlite:///{file.with_name(file.stem + '.idempotency.db')}",
        connect_args={"timeout": 30},
    )

    @sa.event.listens_for(engine, "connect")
    def _wal(connection: Any, _: Any) -> None:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")

    return engine


class IdempotencyStore:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, checkfirst=True)

    def reserve(self, scope: str, key: str, fingerprint: str) -> dict[str, Any] | None:
        """Reserves the key; None if it was free, else the row that holds it."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    keys_table.insert().values(
                        scope=scope, key=key, fingerprint=fingerprint, created_at=time.time()
                    )
                )
            return None
        except sa.exc.IntegrityError:
            with self.engine.connect() as connection:
                row = connection.execute(
                    sa.select(keys_table).where(
                        keys_table.c.scope == scope, keys_table.c.key == key
                    )
                ).first()
            if row is None:  # released in between: try once more
                return self.reserve(scope, key, fingerprint)
            return dict(row._mapping)

    def complete(
        self, scope: str, key: str, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                keys_table.update()
                .where(keys_table.c.scope == scope, keys_table.c.key == key)
                .values(status=status, headers=json.dumps(headers), body=body)
            )

    def release(self, scope: str, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                keys_table.delete().where(keys_table.c.scope == scope, keys_table.c.key == key)
            )

    def close(self) -> None:
        self.engine.dispose()


def _problem(status: int, slug: str, title: str, detail: str, path: str) -> tuple[int, bytes]:
    body = {
        "type": f"https://trainplan.example/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": path,
    }
    if status == 422:
        body |= {
            "field": "Idempotency-Key",
            "rule": detail,
            "errors": [{"field": "header.Idempotency-Key", "rule": detail}],
        }
    return status, json.dumps(body).encode()


class IdempotencyMiddleware:
    """Pure ASGI middleware: buffers a keyed POST's body, fingerprints it, and replays or
    records the answer. Requests without the header pass straight through."""

    def __init__(
        self, app: ASGIApp, store_getter: Callable[[Scope], IdempotencyStore | None]
    ) -> None:
        self.app = app
        self.store_getter = store_getter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value for name, value in scope["headers"]}
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        store = self.store_getter(scope)
        key = raw_key.decode("latin-1").strip()
        path = scope["path"]
        if store is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            await _send(
                send,
                *_problem(
                    422,
                    "invalid-value",
                    "A value breaks a rule",
                    f"must be 1 to {MAX_KEY_LENGTH} characters",
                    path,
                ),
            )
            return

        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        key_scope = hashlib.sha256(headers.get("authorization", b"")).hexdigest()
        digest = hashlib.sha256()
        for part in (scope["method"].encode(), path.encode(), scope.get("query_string", b"")):
            digest.update(part + b"\0")
        digest.update(headers.get("content-type", b"").split(b";")[0] + b"\0")
        digest.update(body)
        fingerprint = digest.hexdigest()

        held = await run_in_threadpool(store.reserve, key_scope, key, fingerprint)
        if held is not None:
            if held["fingerprint"] != fingerprint:
                await _send(
                    send,
                    *_problem(
                        422,
                        "idempotency-key-reused",
                        "Idempotency-Key reused",
                        "this Idempotency-Key was used with another request; use a new key",
                        path,
                    ),
                )
            elif held["status"] is None:
                await _send(
                    send,
                    *_problem(
                        409,
                        "idempotency-key-in-progress",
                        "Request with this key not finished",
                        "a request with this Idempotency-Key is in progress or was cut off; check "
                        "the resource, then retry with a new key",
                        path,
                    ),
                )
            else:
                kept = json.loads(held["headers"] or "{}")
                await _send(send, held["status"], held["body"] or b"", kept, replayed=True)
            return

        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        response_headers: dict[str, str] = {}
        response_body: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    lower = name.decode("latin-1").lower()
                    if lower in KEPT_HEADERS:
                        response_headers[lower] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                response_body.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await run_in_threadpool(store.release, key_scope, key)
            raise
        if status in (401, 403) or status >= 500:
            await run_in_threadpool(store.release, key_scope, key)
        else:
            await run_in_threadpool(
                store.complete, key_scope, key, status, response_headers, b"".join(response_body)
            )


async def _send(
    send: Send,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    *,
    replayed: bool = False,
) -> None:
    headers = headers or {"content-type": "application/problem+json"}
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    if replayed:
        raw.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
