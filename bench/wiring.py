"""Where the benchmarks reach the product's composition root: the app factory uvicorn starts,
the stack built once to create a store's tables, and the app run in process. One place to
re-point when the composition root moves."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from api.http.app import create_app
from api.settings import Settings
from api.stack import Stack, open_stack

APP_FACTORY = "api.http.app:create_app"  # uvicorn --factory


def settings_for(url: str) -> Settings:
    """The settings of a server on the store at `url`, with the demo tokens."""
    return Settings(database_url=url, tokens=None, tokens_file=None, seal_key=None)


def prepare_store(url: str) -> None:
    """Creates every table once, in this process, before the server starts: several workers
    starting together on a fresh PostgreSQL database race in their `create_all` (one of them
    fails with a duplicate pg_type and uvicorn stops them all), as a deployment would migrate
    first."""
    logging.getLogger("trainplan.api").setLevel(logging.ERROR)  # the demo-token warning
    open_stack(settings_for(url)).close()


def app_in_process(url: str) -> FastAPI:
    """The HTTP app on the store at `url`, for a TestClient in this process."""
    return create_app(settings_for(url))


def resources_of(app: FastAPI) -> Stack:
    """What the running app holds: its planner, projections and idempotency store."""
    stack: Stack = app.state.stack
    return stack
