"""Fixtures shared by every test: the same tests run on SQLite and on PostgreSQL.

PostgreSQL: one fresh database per test session on 127.0.0.1:5432, emptied before each test
and dropped at the end. Without PostgreSQL its tests are skipped, except under CI=true, where a
skipped PostgreSQL test is a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from domain import TrainingPlanner, store_env

PG_HOST = os.environ.get("TRAINPLAN_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TRAINPLAN_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TRAINPLAN_TEST_PG_USER", "postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _admin_connection() -> psycopg.Connection:
    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        dbname="postgres",
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session."""
    try:
        admin = _admin_connection()
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    name = f"trainplan_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def empty_postgres(url: str) -> None:
    """Truncates every table in the test database (the schema stays)."""
    env = store_env(url)
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        dbname=env["POSTGRES_DBNAME"],
        autocommit=True,
    ) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        if tables:
            connection.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(table) for table in tables)
                )
            )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'trainplan.db'}"
    url: str = request.getfixturevalue("postgres_session_url")
    empty_postgres(url)
    return url


@pytest.fixture
def planner(database_url: str) -> Iterator[TrainingPlanner]:
    app = TrainingPlanner(env=store_env(database_url))
    yield app
    app.close()


@pytest.fixture
def sqlite_planner(tmp_path: Path) -> Iterator[TrainingPlanner]:
    app = TrainingPlanner(env=store_env(f"sqlite:///{tmp_path / 'trainplan.db'}"))
    yield app
    app.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI=true a PostgreSQL test that was skipped counts as failed."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and item.get_closest_marker("postgres") is not None:
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped under CI=true: {report.longrepr}"
