"""All settings in one place, read from the environment (prefix TRAINPLAN_) or a .env file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.store import (
    DEFAULT_POOL_OVERFLOW,
    DEFAULT_POOL_SIZE,
    MAX_POOL,
    POOL_OVERFLOW_VARIABLE,
    POOL_SIZE_VARIABLE,
    is_postgres,
    sqlite_path,
)

DEFAULT_DATA_DIR = "trainplan-data"
STORE_FILE = "trainplan.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINPLAN_", env_file=".env", extra="ignore")

    data_dir: Path = Path(DEFAULT_DATA_DIR)
    """Where the embedded default keeps its files (the events, the read models, their lock
    files, the HTTP API's idempotency keys): one folder, `./trainplan-data` unless set."""

    database_url: str = ""
    """Where the events (and the read models) live. Default: a SQLite file in `data_dir`
    (sqlite:///trainplan-data/trainplan.db). PostgreSQL:
    postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB."""

    db_pool_size: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=MAX_POOL)
    """PostgreSQL: connections each of a process's pools keeps open (the event store's, the
    read models' reader's, the read models', the idempotency keys'). See the README's
    "Connections" section for the budget over `serve --workers N` and other processes."""

    db_pool_overflow: int = Field(default=DEFAULT_POOL_OVERFLOW, ge=0, le=MAX_POOL)
    """PostgreSQL: connections each pool may open beyond `db_pool_size` while busy (closed
    again when no longer needed); a request that finds its pool full waits for a connection."""

    tokens_file: str | None = None
    """A JSON file mapping bearer tokens to principals (see the README)."""

    tokens: str | None = None
    """The same mapping as a JSON string, for deployments that configure by environment."""

    seal_key: str | None = None
    """An HMAC key for the tamper-evidence chain (`trainplan audit verify`). Without it the
    chain is a plain SHA-256 chain: it still catches any edit of the events, but someone who
    rewrites the events AND the seals consistently is caught only by comparing the printed head
    with one written down earlier. Keep the key outside the database."""

    read_wait_seconds: float = Field(default=5.0, gt=0, le=60)
    """How long a read that asks to see a write (`Trainplan-Min-Position`) waits for the read
    models to reach it before answering 503 with Retry-After."""

    follow_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    """How often the server's projection follower looks at the store when nothing wakes it (a
    write by another process on SQLite; PostgreSQL's NOTIFY and the server's own writes wake it
    at once). The background sealer looks every twice as long."""

    follow_gather_seconds: float = Field(default=0.02, ge=0, le=5)
    """How long the follower, woken by a write, lets more writes join before it applies them
    all in one catch-up (a read waiting for a position cuts it short)."""

    seal_delay_seconds: float = Field(default=0.2, ge=0, le=60)
    """How long the background sealer lets new events gather before sealing them in one batch
    (`trainplan audit verify` counts them as unsealed until then)."""

    run_workers: int = Field(default=1, ge=0, le=16)
    """How many optimisation runs the HTTP server solves at once in its own process (worker
    threads taking jobs from the run queue). 0: none, the runs wait on the queue for
    `trainplan worker` processes (on this machine or others over the same PostgreSQL)."""

    run_stale_seconds: float = Field(default=30.0, ge=2, le=3600)
    """How long a running optimisation job may go without its worker's heartbeat (written
    every half second) before any worker or server marks it interrupted (retryable)."""

    @property
    def seal_secret(self) -> bytes | None:
        """The seal key as the tamper-evidence chain takes it (None: a plain SHA-256 chain)."""
        return self.seal_key.encode() if self.seal_key else None

    @field_validator("database_url")
    @classmethod
    def _supported(cls, url: str) -> str:
        if url and not (url.startswith("sqlite:///") or is_postgres(url)):
            raise ValueError(
                "must start with sqlite:/// (a SQLite file) or postgresql+psycopg:// "
                f"(PostgreSQL), not {url.split(':', 1)[0]}:"
            )
        return url

    @model_validator(mode="after")
    def _default_store(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / STORE_FILE}"
        return self


def missing_store_folder(settings: Settings) -> str | None:
    """Why the SQLite store cannot be opened, if its URL names a folder that does not exist:
    a mistyped path must not become a new, empty store. The data directory (where the default
    store lives) is made when first needed."""
    url = settings.database_url
    if not url.startswith("sqlite:///") or sqlite_path(url) == ":memory:":
        return None
    folder = Path(sqlite_path(url)).expanduser().resolve().parent
    if folder.is_dir() or folder == settings.data_dir.expanduser().resolve():
        return None
    return (
        f"the folder {folder} does not exist: correct the URL, or create the folder first "
        "(a store is only created in a folder that is there)"
    )


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    share_pool_budget(settings)
    return settings


def share_pool_budget(settings: Settings) -> None:
    """The stores size their pools from the process's environment (domain/store.py): a pool
    budget set in a `.env` file is put there too (and so reaches the server's workers). A
    value already in the environment is the one `settings` read, and stays."""
    os.environ.setdefault(POOL_SIZE_VARIABLE, str(settings.db_pool_size))
    os.environ.setdefault(POOL_OVERFLOW_VARIABLE, str(settings.db_pool_overflow))
