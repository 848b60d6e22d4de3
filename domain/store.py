"""From one database URL to the eventsourcing library's persistence settings.

The events go through the library's own SQLite and PostgreSQL modules (measured faster than its
SQLAlchemy module: see the README). Only the standard library is used here."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_URL = "sqlite:///trainplan-data/trainplan.db"  # api.settings: TRAINPLAN_DATA_DIR


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
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "5",
        }
    raise ValueError(
        f"TRAINPLAN_DATABASE_URL: unsupported scheme {scheme!r}; "
        "use sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB"
    )
