"""Keeping the read models up off the request path: a follower thread in the server process.

A write answers as soon as its events are stored; the read models follow. `Follower` is one
background thread that takes every read model for its process (`Projections.acquire`: one
runner per read model, across every process on the store) and applies each new batch of events
to all of them (`Projections.catch_up`, one read of the events, one transaction). It wakes:

- on PostgreSQL, on the store's own notification: the eventsourcing library sends `NOTIFY` on
  the events table's channel in the transaction that inserts events, so a write made by any
  process on the store wakes the follower as it commits (`LISTEN`);
- in its own process, when the application saves (`wake()`, called by the composition root
  after every save) or when a read waits for a position it has not reached (`hurry()`);
- otherwise every `poll` seconds (a write made by another process on SQLite, such as a CLI
  command while the server runs, is seen within that time).

Woken by a write, it lets `gather` seconds of writes join before it reads them (unless a read
is waiting: `hurry()`): under load one catch-up then applies many writes at the cost of one,
which is where a catch-up's cost lies (its statements per read model, not per event).

Several server processes on one store each start a follower; the first takes the read models
and the others stand by (`state` says so), trying again every `retry` seconds, so that one of
them takes over within that time if the holder dies (its locks die with it). `trainplan
projections run`, started by hand, is such a holder too.

A rebuild (`trainplan projections rebuild`, another process) builds shadow read models without
any lock, then takes the read models' locks to swap them in. When the follower sees a shadow
that has caught up with the live read model (its tracking position, `<name>__r<stamp>`, at or
past the live one), it lets the read models go and stands by until the shadows are gone (the
swap, or the rebuild's failure), at most `handover` seconds, then takes them back.

`Positions` is what each read model has reached, as this process last saw it: pushed by the
local follower after each batch, read from the tracking table (at most every `max_age`
seconds) when another process drives the read models. A read that must see a write waits for
the read models it reads to reach the write's position (`Positions.behind`)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

import psycopg
import sqlalchemy as sa

from projections.database import tracking
from projections.locks import RunnerBusy
from projections.runner import SHADOW, Projections

log = logging.getLogger("trainplan.projections")

POLL = 0.5  # seconds between looks at the store when nothing wakes the follower
RETRY = 1.0  # seconds between attempts to take the read models from another runner
MAX_AGE = 0.01  # seconds a position read from the tracking table is taken as current
LISTEN_SLICE = 0.1  # seconds the follower listens before looking at its own flags
GATHER = 0.02  # seconds a write's wake-up waits for more writes to join, unless a read waits
HANDOVER = 120.0  # seconds at most the follower stands by for a rebuild to swap its shadows in


class Positions:
    """Each read model's tracking position as this process last saw it, and the store's head."""

    def __init__(self, projections: Projections, *, max_age: float = MAX_AGE) -> None:
        self.projections = projections
        self.max_age = max_age
        self._known: dict[str, int] = dict.fromkeys(projections.read_models, 0)
        self._read_at = 0.0
        self._pushed = False  # a local follower drives them: what it pushes is current
        self._head = 0  # the store's head as last read (it only grows)
        self._lock = threading.Lock()
        self._reading = threading.Lock()  # one read of the database at a time, shared

    def note(self, positions: dict[str, int]) -> None:
        """The local follower's positions after a batch: current by construction."""
        with self._lock:
            self._known.update(positions)
            self._read_at = time.monotonic()
            self._pushed = True

    @property
    def pushed(self) -> bool:
        """Whether the local follower drives the read models (its figures are current)."""
        return self._pushed

    def forget_pushed(self) -> None:
        """The local follower no longer drives the read models (it stopped or lost them)."""
        with self._lock:
            self._pushed = False

    def known(self) -> dict[str, int]:
        """The positions as last seen, without touching the database."""
        with self._lock:
            return dict(self._known)

    def current(self) -> dict[str, int]:
        """The positions, read from the tracking table unless the local follower drives the
        read models or they were read less than `max_age` seconds ago."""
        with self._lock:
            if self._pushed or time.monotonic() - self._read_at < self.max_age:
                return dict(self._known)
        asked = time.monotonic()
        with self._reading:  # many reads waiting at once cost one query, not one each
            with self._lock:
                if self._read_at >= asked:
                    return dict(self._known)
            found = self.projections.positions()
            with self._lock:
                self._known.update(found)
                self._read_at = time.monotonic()
                return dict(self._known)

    def saw(self, position: int) -> None:
        """An event at `position` is stored (a save of this process)."""
        if position > self._head:
            with self._lock:
                self._head = max(self._head, position)

    def head(self, at_least: int = 0) -> int:
        """The store's head: as last read if that is at least `at_least`, else read again (one
        query at a time, shared by every caller waiting for it)."""
        if self._head >= at_least > 0:
            return self._head
        with self._reading:
            if not self._head >= at_least > 0:
                self._head = max(self._head, self.projections.head())
            return self._head

    def behind(
        self, position: int, names: Iterable[str] | None = None, *, fresh: bool = True
    ) -> dict[str, int]:
        """The read models among `names` (default: all) that have not reached `position`,
        with their positions; empty when all have."""
        seen = self.current() if fresh else self.known()
        chosen = list(names) if names is not None else list(seen)
        return {name: seen.get(name, 0) for name in chosen if seen.get(name, 0) < position}

    def wait(self, position: int, names: Iterable[str] | None = None, *, timeout: float) -> bool:
        """Blocks (at most `timeout` seconds) until the read models among `names` reach
        `position`; True if they did."""
        chosen = list(names) if names is not None else None
        deadline = time.monotonic() + timeout
        while self.behind(position, chosen):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
        return True


class Follower:
    """The background thread that drives the read models (see the module's docstring)."""

    def __init__(
        self,
        projections: Projections,
        *,
        poll: float = POLL,
        retry: float = RETRY,
        gather: float = GATHER,
        handover: float = HANDOVER,
        positions: Positions | None = None,
    ) -> None:
        self.projections = projections
        self.positions = positions or Positions(projections)
        self.poll = poll
        self.retry = retry
        self.gather = gather
        self.handover = handover
        self._handed: set[str] = set()  # the shadows a rebuild was given the read models for
        self.state = "starting"
        self.error: str | None = None
        self.holding = False
        self._wake = threading.Event()
        self._hurry = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: Any = None

    # --- control ----------------------------------------------------------------------------

    def start(self) -> Follower:
        self._thread = threading.Thread(target=self._run, name="trainplan-follower", daemon=True)
        self._thread.start()
        return self

    def wake(self, position: int = 0) -> None:
        """Asks for a look at the store now (cheap): the application's save listener, told the
        position of the save's last event (so the head is known without asking the store)."""
        if position:
            self.positions.saw(position)
        self._wake.set()

    def hurry(self) -> None:
        """Asks for a look at the store now, without gathering more writes (a read waits)."""
        self._hurry.set()
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stops the thread after its current batch and lets the read models go."""
        self._stop.set()
        self._hurry.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the projection follower did not stop within %s s", timeout)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        try:
            while not self._stop.is_set():
                if not self.holding and not self._take():
                    self._sleep(self.retry)
                    continue
                self._wake.clear()
                try:
                    self.projections.catch_up(wait=0)
                    live, rebuilding = self._tracking()
                    self.positions.note(live)
                    if rebuilding:
                        self._hand_over(rebuilding)
                        continue
                except Exception as error:
                    failures += 1
                    self.error = f"{type(error).__name__}: {error}"
                    self.state = "failing"
                    log.exception(
                        "the read models could not catch up; the follower retries "
                        "(`trainplan projections status` shows where they are)"
                    )
                    self._sleep(min(0.05 * 2**failures, 5.0))
                    continue
                if failures or self.state != "following":
                    failures, self.error, self.state = 0, None, "following"
                if self._wait() and self.gather and not self._hurry.is_set():
                    self._hurry.wait(self.gather)  # let the writes of the next moments join
                self._hurry.clear()
        finally:
            self._let_go()

    def _take(self) -> bool:
        """Takes every read model for this process; False (standing by) if another runner
        drives one."""
        try:
            self.projections.acquire()
        except RunnerBusy as busy:
            self.state = f"standing by: {busy}"
            self.positions.forget_pushed()
            return False
        except Exception as error:
            self.state = "failing"
            self.error = f"{type(error).__name__}: {error}"
            log.exception("the projection follower could not take the read models")
            return False
        self.holding = True
        self.state = "following"
        with contextlib.suppress(Exception):
            self._listener = self._listen()
        return True

    def _tracking(self) -> tuple[dict[str, int], list[str]]:
        """Each live read model's position, and the read models whose rebuild has caught up
        with them (a shadow at or past the live position: the rebuild is about to swap)."""
        with self.projections.engine.connect() as c:
            rows = c.execute(sa.select(tracking.c.view, tracking.c.position)).all()
        found = {str(view): int(position) for view, position in rows}
        live = {name: found.get(name, 0) for name in self.projections.read_models}
        shadows = {
            key
            for key, position in found.items()
            if SHADOW in key and position >= live.get(key.split(SHADOW)[0], 0) > 0
        }
        fresh = shadows - self._handed  # one left by a rebuild that died is handed over once
        self._handed &= set(found)
        return live, sorted({key.split(SHADOW)[0] for key in fresh})

    def _hand_over(self, rebuilding: list[str]) -> None:
        """Lets the read models go while a rebuild swaps its shadows in; takes them back when
        the shadows are gone, or after `handover` seconds."""
        log.info("letting a rebuild of %s swap its read models in", ", ".join(rebuilding))
        self._handed |= {key for key in self._shadow_keys()}
        self._let_go()
        self.state = f"standing by: a rebuild of {', '.join(rebuilding)} is swapping in"
        deadline = time.monotonic() + self.handover
        while not self._stop.is_set() and time.monotonic() < deadline:
            self._sleep(0.1)
            try:
                if not self._shadow_keys() & self._handed:
                    break
            except Exception:
                continue
        # the rebuild lets the read models go just after its swap commits: take them back then
        deadline = time.monotonic() + 5.0
        while not self._stop.is_set() and not self._take() and time.monotonic() < deadline:
            self._sleep(0.05)

    def _shadow_keys(self) -> set[str]:
        with self.projections.engine.connect() as c:
            keys = c.execute(sa.select(tracking.c.view)).scalars().all()
        return {str(key) for key in keys if SHADOW in str(key)}

    def _let_go(self) -> None:
        self.positions.forget_pushed()
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None
        if self.holding:
            with contextlib.suppress(Exception):
                self.projections.release()
            self.holding = False
        self.state = "stopped"

    def _wait(self) -> bool:
        """Until something may be new: a NOTIFY (PostgreSQL), a local wake (True), or `poll`
        seconds (False)."""
        if self._listener is None:
            return self._wake.wait(self.poll)
        deadline = time.monotonic() + self.poll
        while not (self._wake.is_set() or self._stop.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                notified = False
                for _ in self._listener.notifies(timeout=min(LISTEN_SLICE, left), stop_after=1):
                    notified = True
                if notified:
                    # the notifications that came with it are the same news: drop them
                    for _ in self._listener.notifies(timeout=0.0):
                        pass
                    return True
            except psycopg.Error:
                log.warning("the follower lost its LISTEN connection; polling until it is back")
                with contextlib.suppress(Exception):
                    self._listener.close()
                self._listener = None
                with contextlib.suppress(Exception):
                    self._listener = self._listen()
                return True
        return True

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _listen(self) -> Any:
        """A connection listening on the events table's channel (PostgreSQL), else None."""
        return self.projections.listener()


__all__ = ["Follower", "Positions"]
