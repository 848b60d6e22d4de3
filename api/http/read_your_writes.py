"""Read-your-writes over HTTP: a write's answer waits until the read models have caught up with
the events it recorded, so that a read made after it sees it.

A request that may write (any method but GET, HEAD and OPTIONS) and succeeds (below 400) runs
`Stack.catch_up()` before its answer starts; a refused one recorded nothing and goes straight
out. Routes call the application's commands and nothing else; this is the one place where the
HTTP API keeps the read models up to date (the catch-up's failure policy is in `api.stack`)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.stack import Stack

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadYourWritesMiddleware:
    """Pure ASGI middleware: holds a successful write's answer until the catch-up is done."""

    def __init__(self, app: ASGIApp, stack_getter: Callable[[Scope], Stack | None]) -> None:
        self.app = app
        self.stack_getter = stack_getter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READS:
            await self.app(scope, receive, send)
            return
        stack = self.stack_getter(scope)
        if stack is None:
            await self.app(scope, receive, send)
            return

        async def send_when_caught_up(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                await run_in_threadpool(stack.catch_up)
            await send(message)

        await self.app(scope, receive, send_when_caught_up)
