"""What every `trainplan` command shares: the settings and a store that can be reached, checked
before a command runs; one clear line instead of a traceback for what a user can put right; and
rows printed as a table, CSV or JSON.

**No tracebacks.** `TrainplanGroup` runs every command. A refusal of the domain, a setting that
is malformed, a store that cannot be opened, a file that cannot be written: each is one line on
stderr naming the problem, and the exit status is not zero (2 for a value the user gave, 1 for
the rest: a refusal of the domain, a sheet's rows, a store that cannot be used).
`TRAINPLAN_DEBUG=1` shows the traceback instead, for a bug report."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

import psycopg
import sqlalchemy.exc
import typer
from eventsourcing.persistence import PersistenceError
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from api.files.exports import rows_csv
from api.files.schedule import ScheduleRefused
from api.settings import Settings, get_settings, missing_store_folder
from domain import DomainError, InvalidValue, store_env
from domain.store import is_postgres
from domain.values import control_character

console = Console()
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def fail(where: str, rule: str, code: int = 2) -> NoReturn:
    """One line naming what is wrong, then exit with `code`."""
    err.print(f"[red]{where}: {rule}[/red]", highlight=False)
    raise typer.Exit(code)


def safe_url(url: str) -> str:
    """The URL without its password, to be shown."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def settings() -> Settings:
    """The settings, or one line naming the malformed one."""
    try:
        return get_settings()
    except ValidationError as invalid:
        first = invalid.errors()[0]
        name = "TRAINPLAN_" + "_".join(str(part) for part in first["loc"]).upper()
        fail(name, str(first["msg"]).removeprefix("Value error, "))


def check_store(url: str) -> None:
    """Refuses a PostgreSQL store that cannot be reached (no server, no such database, wrong
    user) with one line, before any command waits on a connection pool for it."""
    if not is_postgres(url):
        return
    env = store_env(url)
    try:
        psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            dbname=env["POSTGRES_DBNAME"],
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).strip().splitlines()[-1].replace("FATAL:", "").split())
        hint = ""
        if "does not exist" in reason and "database" in reason:
            hint = (
                f" (create it: createdb -h {env['POSTGRES_HOST']} -p {env['POSTGRES_PORT']} "
                f"-U {env['POSTGRES_USER']} {env['POSTGRES_DBNAME']})"
            )
        fail(
            "TRAINPLAN_DATABASE_URL",
            f"cannot open the PostgreSQL store {safe_url(url)}: {reason}{hint}",
            code=1,
        )


def one_line(error: BaseException) -> tuple[str, int] | None:
    """What to tell a user for an error they can put right, and the exit status; None for a
    bug (its traceback is shown)."""
    if isinstance(error, ScheduleRefused):
        return "\n".join(str(e) for e in error.errors), 1
    if isinstance(error, InvalidValue):
        return f"{error.field}: {error.rule}", 2
    if isinstance(error, DomainError):
        return error.message, 1
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        return f"{where}: {str(first['msg']).removeprefix('Value error, ')}", 2
    if isinstance(
        error,
        psycopg.OperationalError
        | sqlalchemy.exc.OperationalError
        | sqlite3.OperationalError
        | PersistenceError,
    ):
        reason = " ".join(str(error).strip().splitlines()[0].split()) if str(error) else ""
        return f"the store cannot be used: {reason or type(error).__name__}", 1
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}", 1
    return None


def check_arguments(args: Sequence[str]) -> None:
    """Refuses, with one line naming it, an argument holding a control character other than
    tab and newline (the domain's rule on every text, `domain.values.control_character`)."""
    for index, arg in enumerate(args):
        option, equals, value = arg.partition("=")
        if arg.startswith("--") and equals:  # --option=value
            rule = control_character(value)
            if rule is not None:
                fail(option, rule)
        rule = control_character(arg)
        if rule is not None:
            before = args[index - 1] if index else ""
            fail(before if before.startswith("-") else f"argument {arg!r}", rule)


class TrainplanGroup(TyperGroup):
    """The root command group: every command runs inside it. The settings and the store are
    checked first (not for --help), and an error a user can put right is one line on stderr,
    not a traceback (see the module's docstring)."""

    def invoke(self, ctx: Any) -> Any:  # click's Context, as typer vendors it
        check_arguments(ctx.args)
        if "--help" not in ctx.args:  # the subcommand's arguments, not parsed yet
            if (missing := missing_store_folder(settings())) is not None:
                fail("TRAINPLAN_DATABASE_URL", missing)
            check_store(settings().database_url)
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as error:
            if os.environ.get("TRAINPLAN_DEBUG"):
                raise
            told = one_line(error)
            if told is None:
                raise
            message, code = told
            for line in message.splitlines():
                err.print(f"[red]{line}[/red]", highlight=False)
            raise typer.Exit(code) from None


def _listed(value: Any) -> Any:
    """A list as people write one in a cell ("gym, mats"); anything else as it is."""
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def show(
    rows: Sequence[dict[str, Any]],
    columns: Iterable[tuple[str, str]],
    fmt: Format,
    *,
    title: str,
    total: int | None = None,
    offset: int = 0,
) -> None:
    """Rows as a table (`columns`: heading, key), as CSV (the same headings) or as JSON (every
    key of every row). A table says how many more there are beyond the page."""
    columns = list(columns)
    if fmt is Format.json:
        typer.echo(json.dumps(list(rows), indent=2, default=str))
        return
    if fmt is Format.csv:
        keyed = [{heading: _listed(row.get(key)) for heading, key in columns} for row in rows]
        sys.stdout.write(rows_csv(keyed, [h for h, _ in columns]).decode("utf-8-sig"))
        return
    total = len(rows) if total is None else total
    shown = f"{offset + 1:,}-{offset + len(rows):,} of {total:,}" if rows else f"none of {total:,}"
    table = Table(title=f"{title} ({shown})")
    numeric = {k for _, k in columns if rows and isinstance(rows[0].get(k), int | float)}
    for heading, key in columns:
        table.add_column(heading, justify="right" if key in numeric else "left")
    for row in rows:
        table.add_row(*(_text(row.get(key)) for _, key in columns))
    console.print(table)
    if total > offset + len(rows):
        console.print(f"... {total - offset - len(rows):,} more: use --offset and --limit.")
