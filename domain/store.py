"""From one database URL to the eventsourcing library's persistence settings.

The events go through the library's own SQLite and PostgreSQL modules (measured faster than its
SQLAlchemy module: see the README). On PostgreSQL the events are saved by `OneTripRecorder`
(domain/postgres_store.py: the library's recorder, one round trip per save). Only the standard
library is used here.

The connection budget: every pool a process opens on PostgreSQL (the event store's, the read
models' reader's, the read models' and the idempotency keys' engines) keeps
`TRAINPLAN_DB_POOL_SIZE` connections and opens up to `TRAINPLAN_DB_POOL_OVERFLOW` more while
busy (see the README's "Connections" section for the sum over processes). Read here from the
process's environment; `api.settings.get_settings` puts a `.env` file's values there."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_URL = "sqlite:///trainplan-data/trainplan.db"  # api.settings: TRAINPLAN_DATA_DIR

POOL_SIZE_VARIABLE = "TRAINPLAN_DB_POOL_SIZE"
POOL_OVERFLOW_VARIABLE = "TRAINPLAN_DB_POOL_OVERFLOW"
DEFAULT_POOL_SIZE = 1  # connections each pool keeps open
DEFAULT_POOL_OVERFLOW = 2  # more each pool opens while busy, closed when returned
MAX_POOL = 50  # either setting

RECORDER_TOPIC = "domain.postgres_store:OneTripRecorder"


def pool_budget() -> tuple[int, int]:
    """(kept, overflow) for each PostgreSQL pool of this process, from the environment
    (TRAINPLAN_DB_POOL_SIZE at least 1, TRAINPLAN_DB_POOL_OVERFLOW at least 0, both at most
    50); a value that is not such a whole number is refused with its variable named."""
    return (
        _whole(POOL_SIZE_VARIABLE, DEFAULT_POOL_SIZE, least=1),
        _whole(POOL_OVERFLOW_VARIABLE, DEFAULT_POOL_OVERFLOW, least=0),
    )


def _whole(variable: str, default: int, *, least: int) -> int:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if not least <= value <= MAX_POOL:
        raise ValueError(
            f"{variable}: must be a whole number from {least} to {MAX_POOL}, not {text!r}"
        )
    return value


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme.split("+")[0] in ("postgresql", "postgres")


def sqlite_path(url: str) -> str:
    """`sqlite:///relative.db`, `sqlite:////absolute.db` or `sqlite:///:memory:`."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite URL: {url}")
    return url[len("sqlite:///") :] or ":memory:"


def store_env(url: str) -> dict[str, str]:
    """The eventsourcing environment for the event store at `url`."""
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme == "sqlite":
        path = sqlite_path(url)
        if path != ":memory:":
            Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": "file::memory:?mode=memory&cache=shared"
            if path == ":memory:"
            else str(Path(path).expanduser()),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if is_postgres(url):
        parts = urlsplit(url)
        kept, overflow = pool_budget()
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_POOL_SIZE": str(kept),
            "POSTGRES_MAX_OVERFLOW": str(overflow),
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "APPLICATION_RECORDER_TOPIC": RECORDER_TOPIC,
        }
    raise ValueError(
        f"TRAINPLAN_DATABASE_URL: unsupported scheme {scheme!r}; "
        "use sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB"
    )
