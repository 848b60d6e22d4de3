"""One runner per read model: an exclusive lock per read model, held while a batch is applied
(a `flock` on a file beside the SQLite database of the read models; a PostgreSQL session
advisory lock). Both are released by the operating system or the server if the process dies,
so a killed runner never leaves a read model locked. A second long-lived runner is refused with
`RunnerBusy` naming the holder."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import threading
import time
import zlib
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from projections.database import runners


class RunnerBusy(RuntimeError):
    """Another runner already drives this read model."""


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Locks:
    """The exclusive right to drive each read model, for one process. `try_acquire` never
    waits and returns the read models it got. SQLite: a `flock` per read model on a file beside
    the read models' database (the files stay open; a lock is one system call). PostgreSQL:
    session advisory locks, all in one statement, on one connection kept for the purpose. Both
    are released by the system if the process dies. A long-lived runner also records its name
    (`record=True`), so a second one is told who holds the read model."""

    def __init__(self, engine: Engine, url: str, names: Iterable[str]) -> None:
        self.engine, self.url = engine, url
        self.names = list(names)
        self._fds: dict[str, int] = {}
        self._conn: Connection | None = None
        self._held: set[str] = set()
        self._mutex = threading.Lock()
        self._memory = url.startswith("sqlite") and self.folder is None

    @property
    def folder(self) -> Path | None:
        if self.url.startswith("sqlite:///") and self.url != "sqlite:///:memory:":
            return Path(self.url.removeprefix("sqlite:///"))
        return None

    def _path(self, name: str) -> Path:
        db = self.folder
        assert db is not None
        return db.with_name(f"{db.name}.{name}.lock")

    def try_acquire(self, names: Iterable[str], holder: str, *, record: bool = False) -> list[str]:
        wanted = [n for n in names if n not in self._held]
        with self._mutex:
            if self._memory:
                got = wanted  # an in-memory database belongs to this process alone
            elif self.engine.dialect.name == "postgresql":
                got = self._pg_try(wanted)
            else:
                got = [n for n in wanted if self._flock(n, holder)]
            self._held.update(got)
        if record and got:
            with self.engine.begin() as c:
                c.execute(sa.delete(runners).where(runners.c.view.in_(got)))
                c.execute(
                    sa.insert(runners),
                    [{"view": n, "holder": holder, "since": time.time()} for n in got],
                )
        return got

    def release(self, names: Iterable[str], *, record: bool = False) -> None:
        mine = [n for n in names if n in self._held]
        if not mine:
            return
        if record:
            with contextlib.suppress(Exception), self.engine.begin() as c:
                c.execute(sa.delete(runners).where(runners.c.view.in_(mine)))
        with self._mutex:
            self._held.difference_update(mine)
            if self._memory:
                return
            if self.engine.dialect.name == "postgresql":
                with contextlib.suppress(Exception):
                    self._lock_conn().execute(
                        sa.text(
                            "SELECT pg_advisory_unlock(k) FROM unnest(CAST(:keys AS bigint[])) k"
                        ),
                        {"keys": [_lock_key(n) for n in mine]},
                    )
            else:
                for name in mine:
                    fd = self._fds[name]
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, 0)
                        fcntl.flock(fd, fcntl.LOCK_UN)

    def holder(self, name: str) -> str:
        if self.folder is not None:
            path = self._path(name)
            text = path.read_text().strip() if path.exists() else ""
            if text:
                return text
        with self.engine.connect() as c:
            who = c.execute(sa.select(runners.c.holder).where(runners.c.view == name)).scalar()
        return str(who or "a catch-up in another process")

    def close(self) -> None:
        self.release(list(self._held))
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def _flock(self, name: str, holder: str) -> bool:
        fd = self._fds.get(name)
        if fd is None:
            fd = self._fds[name] = os.open(self._path(name), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        return True

    def _lock_conn(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    def _pg_try(self, names: list[str]) -> list[str]:
        if not names:
            return []
        keys = {_lock_key(n): n for n in names}
        statement = sa.text(
            "SELECT k, pg_try_advisory_lock(k) FROM unnest(CAST(:keys AS bigint[])) k"
        )
        try:
            rows = self._lock_conn().execute(statement, {"keys": list(keys)}).all()
        except sa.exc.DBAPIError:  # the lock connection was lost (and its locks with it)
            self._held.clear()
            self._conn = None
            rows = self._lock_conn().execute(statement, {"keys": list(keys)}).all()
        return [keys[k] for k, got in rows if got]


def _lock_key(name: str) -> int:
    return zlib.crc32(f"trainplan.projection:{name}".encode()) & 0x7FFFFFFF
