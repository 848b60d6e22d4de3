"""The databases the benchmarks run on: store URLs, psycopg connections, scratch PostgreSQL
databases made for one run and dropped after it."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from domain import store_env

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def redact(url: str) -> str:
    """`url` with its password, if any, as ***."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def with_database(url: str, name: str) -> str:
    """`url` pointing at the database `name` of the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def libpq(url: str) -> str:
    """postgresql+psycopg://... -> postgresql://... (what psycopg.connect takes)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.split("+")[0], *parts[1:]))


def connect(url: str, dbname: str | None = None, **options: Any) -> Any:
    """A psycopg connection (autocommit) to the server of the store at `url`, to its database
    or to `dbname`."""
    import psycopg

    env = store_env(url)
    return psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        dbname=dbname or env["POSTGRES_DBNAME"],
        autocommit=True,
        **options,
    )


def postgres_reachable(admin_url: str) -> str | None:
    """None if we can connect, else why not."""
    try:
        with connect(admin_url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as error:
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"


@contextlib.contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A fresh database on the server of `admin_url` (its URL), dropped at the end even on
    error; raises psycopg.OperationalError if the server is unreachable."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with connect(admin_url, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(admin_url, name)
    finally:
        try:
            with connect(admin_url, connect_timeout=5) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as error:
            print(f"  could not drop scratch database {name}: {error}", file=sys.stderr)
