"""Tamper evidence for the event store: a hash chain over the notification log, sealed after
the fact, and a streaming verifier that names the first event that no longer fits.

Design. The eventsourcing library writes the events table (`stored_events` on SQLite,
`trainingplanner_events` on PostgreSQL, see `events_table`); this module never writes to it, it
only reads its raw rows (notification id, originator id, version, topic and the exact
`state` bytes) straight from the database. `seal()` walks every event not yet sealed, in
notification order, and for each one stores a row in `event_seals`, a table kept in the SAME
database as the events: `event_hash = sha256(canonical(notification id, originator id, version,
topic, state))` and `chain_hash = sha256(previous chain_hash || event_hash)`, starting from 32
zero bytes, or HMAC-SHA256 of the same input when the caller passes a key (the setting is the
caller's: `api` reads it from its configuration and passes `key=`). Sealing is incremental
(one query when nothing is new), batched (5,000 events per transaction) and serialised (a
transaction-level advisory lock on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so two sealers at
once cannot fork or garble the chain. `verify()` streams both tables in notification order inside
one read-only snapshot, recomputes every hash and the chain, checks that each aggregate's
versions run 1..n in notification order, and reports the FIRST problem: an event changed, an
event deleted (its seal remains, or its aggregate has a version gap, which is caught even
before sealing), an event inserted (no seal inside the sealed range, or an event that is not
the one sealed at its notification id), events reordered between notification ids (the
notification id is part of the hash), or the seal table itself edited (the chain does not
recompute). What it proves: since the seal was taken, nobody changed, removed, inserted or
moved a sealed event without also rewriting the seal table. What it cannot prove: anything
about events recorded after the last seal (reported as `unsealed`: seal often); without a key,
anything against an attacker who rewrites the events AND recomputes the seal table consistently
(sha256 is public); and, even with a key, the removal of the newest events together with their
seals (the shorter chain is still consistent). The key defeats the first (an HMAC chain cannot
be recomputed without it); comparing `head`, the last chain hash, and `sealed` with values an
auditor wrote down earlier defeats both, since any change to a sealed event changes every later
chain hash."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from domain.store import is_postgres
from projections.hash_chain import (
    GENESIS,
    Chain,
    chain_function,
    event_hash,
    from_hex,
    recomputes,
    text,
)
from projections.raw_store import SEALS, PostgresStore, SQLiteStore, Store, events_table

BATCH = 5_000  # events sealed per transaction
SEAL_DELAY = 0.2  # seconds the background sealer lets new events gather before sealing them
SEAL_POLL = 1.0  # seconds between the background sealer's looks when nothing wakes it

log = logging.getLogger("trainplan.integrity")

Row = tuple[Any, ...]

# The raw stores under the names bench/api.py times them by.
_SQLite, _Postgres = SQLiteStore, PostgresStore


class SealRefused(RuntimeError):
    """The seal table's head does not recompute with the key given: sealing on would mix keys
    or extend an edited chain. Run `verify` to see why."""


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    events: int
    sealed: int
    unsealed: int
    head: str | None
    problem: str | None = None
    first_bad: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# seal


@contextmanager
def _open(url: str, *, readonly: bool) -> Iterator[Store]:
    store: Store = (
        _Postgres(url, readonly=readonly) if is_postgres(url) else _SQLite(url, readonly=readonly)
    )
    try:
        yield store
    finally:
        store.close()


_SEALERS: dict[str, tuple[threading.Lock, list[Store]]] = {}
_SEALERS_LOCK = threading.Lock()


@contextmanager
def _sealer(url: str) -> Iterator[Store]:
    """A connection kept per store for sealing (a command seals after every write: opening a
    PostgreSQL connection each time would cost more than the seal). One sealer at a time per
    store in this process; a connection that fails is dropped and the next call opens anew.
    SQLite connections are cheap to open: each call opens its own."""
    if not is_postgres(url):
        with _open(url, readonly=False) as store:
            yield store
        return
    with _SEALERS_LOCK:
        lock, kept = _SEALERS.setdefault(url, (threading.Lock(), []))
    with lock:
        if not kept:
            kept.append(_Postgres(url, readonly=False))
        try:
            yield kept[0]
        except BaseException:
            kept.pop().close()
            raise


def seal(url: str, *, key: bytes | None = None) -> int:
    """Extends the chain over every event after the sealed head, in notification order, in
    transactions of BATCH events; returns how many events it sealed (0 costs one query)."""
    chain = chain_function(key)
    with _sealer(url) as store:
        try:
            last_event, last_sealed = store.execute(
                f"SELECT (SELECT max({store.nid}) FROM {store.events}), "
                f"(SELECT max(notification_id) FROM {SEALS})"
            ).fetchone()
            if last_event is None or (last_sealed is not None and last_event <= last_sealed):
                return 0
        except Exception as error:
            if not store.is_missing_table(error):
                raise
            if not store.has_table(store.events):
                return 0
        sealed = 0
        while True:
            with store.locked():
                store.create_seals()
                head_id, head_chain = _checked_head(store, chain)
                rows = store.execute(
                    f"SELECT {store.nid}, originator_id, originator_version, topic, state "
                    f"FROM {store.events} WHERE {store.nid} > ? ORDER BY {store.nid} LIMIT ?",
                    (head_id, BATCH),
                ).fetchall()
                now = datetime.now(UTC)
                seals = []
                previous = head_chain
                for nid, originator_id, version, topic, state in rows:
                    digest = event_hash(nid, originator_id, version, topic, state)
                    previous = chain(previous, digest)
                    seals.append(
                        (nid, text(originator_id), version, digest.hex(), previous.hex(), now)
                    )
                if seals:
                    store.insert_seals(seals)
            sealed += len(seals)
            if len(rows) < BATCH:
                return sealed


def _checked_head(store: Store, chain: Chain) -> tuple[int, bytes]:
    """The last seal's notification id and chain hash, after checking that it recomputes from
    the seal before it with this key (so a wrong key or an edited head refuses to seal on)."""
    last = store.execute(
        f"SELECT notification_id, event_hash, chain_hash FROM {SEALS} "
        "ORDER BY notification_id DESC LIMIT 2"
    ).fetchall()
    if not last:
        return -(2**63), GENESIS
    previous = from_hex(last[1][2]) if len(last) > 1 else GENESIS
    nid, event_hex, chain_hex = last[0]
    if not recomputes(chain, previous, event_hex, chain_hex):
        raise SealRefused(
            f"seal #{nid} (the head) does not recompute with the key given: the key differs "
            "from the one the chain was sealed with, or the seal table was edited; "
            "run verify before sealing more"
        )
    return nid, bytes.fromhex(chain_hex)


def sealed_up_to(url: str) -> int:
    """The notification id of the last sealed event (0: none yet)."""
    with _sealer(url) as store:  # the sealer's own connection, kept (PostgreSQL)
        if not store.has_table(SEALS):
            return 0
        row = store.execute(f"SELECT max(notification_id) FROM {SEALS}").fetchone()
    return int(row[0] or 0) if row else 0


class Sealer:
    """Seals new events in the background, in batches: woken after a save (`wake()`), it lets
    `delay` seconds of events gather and seals them all in one go; it also looks every `poll`
    seconds (events written by another process). A failure is logged and retried at the next
    look; the events stand, and `verify` counts them as `unsealed` until then. A refusal
    (`SealRefused`: the chain's head does not recompute) is logged once, with what to run."""

    def __init__(
        self,
        url: str,
        *,
        key: bytes | None = None,
        delay: float = SEAL_DELAY,
        poll: float = SEAL_POLL,
        sealing: Callable[[], int] | None = None,
    ) -> None:
        self.url, self.key, self.delay, self.poll = url, key, delay, poll
        self.sealing = sealing or (lambda: seal(self.url, key=self.key))
        self.sealed = 0  # events sealed by this sealer
        self.error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Sealer:
        self._thread = threading.Thread(target=self._run, name="trainplan-sealer", daemon=True)
        self._thread.start()
        return self

    def wake(self, *_: Any) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Seals what is new one last time and stops."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._wake.wait(self.poll) and not self._stop.is_set():
                self._stop.wait(self.delay)  # let the writes of the next moments join in
            self._wake.clear()
            self._seal_now()
        self._seal_now()

    def _seal_now(self) -> None:
        started = time.monotonic()
        try:
            self.sealed += self.sealing()
        except SealRefused as refused:
            if self.error != str(refused):
                log.error(
                    "the tamper-evidence chain refused new seals: run `trainplan audit "
                    "verify` (%s)",
                    refused,
                )
            self.error = str(refused)
            return
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"
            log.exception("new events could not be sealed; the sealer retries")
            return
        self.error = None
        log.debug("sealed in %.1f ms", (time.monotonic() - started) * 1000)


# ---------------------------------------------------------------------------------------------
# verify


def _name(nid: Any, originator_id: Any, version: Any, topic: Any = None) -> str:
    what = f"event #{nid} (originator {text(originator_id)}, version {version}"
    return what + (f", topic {text(topic)})" if topic is not None else ")")


def _version_problem(store: Store) -> tuple[int, str] | None:
    """The first event, in notification order, that breaks its aggregate's 1..n sequence."""
    nid = store.nid
    row = store.execute(
        "SELECT nid, originator_id, originator_version, topic, previous_version, previous_nid "
        f"FROM (SELECT {nid} AS nid, originator_id, originator_version, topic, "
        "lag(originator_version) OVER w AS previous_version, lag("
        f"{nid}) OVER w AS previous_nid FROM {store.events} "
        "WINDOW w AS (PARTITION BY originator_id ORDER BY originator_version)) AS v "
        "WHERE (previous_version IS NULL AND originator_version <> 1) "
        "OR (previous_version IS NOT NULL AND originator_version <> previous_version + 1) "
        "OR (previous_nid IS NOT NULL AND nid < previous_nid) "
        "ORDER BY nid LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    nid_, originator_id, version, topic, previous_version, previous_nid = row
    name = _name(nid_, originator_id, version, topic)
    if previous_version is None:
        return nid_, (
            f"{name} is the first event of its aggregate but not version 1: earlier versions "
            "were deleted, or the event was inserted"
        )
    if not (isinstance(version, int) and isinstance(previous_version, int)):
        return nid_, f"{name}: its aggregate's versions are not integers running 1..n"
    if version != previous_version + 1:
        gap = version - previous_version - 1
        missing = (
            f"version {previous_version + 1} of this aggregate was deleted"
            if gap == 1
            else f"versions {previous_version + 1}..{version - 1} of this aggregate were deleted"
            if gap > 1
            else "the aggregate's versions do not run 1..n (an extra version was inserted)"
        )
        return nid_, f"{name} follows version {previous_version} (#{previous_nid}): {missing}"
    return nid_, (
        f"{name} comes before version {previous_version} (#{previous_nid}) in the "
        "notification log: events of this aggregate were reordered"
    )


def verify(url: str, *, key: bytes | None = None) -> VerifyReport:
    """Streams the events and the seals in notification order in one read-only snapshot and
    reports the first problem. Changes nothing in the database."""
    chain = chain_function(key)
    with _open(url, readonly=True) as store, store.snapshot():
        nid = store.nid
        has_events = store.has_table(store.events)  # a dropped table still leaves its seals
        events: Iterator[Row] = (
            store.stream(
                f"SELECT {nid}, originator_id, originator_version, topic, state "
                f"FROM {store.events} ORDER BY {nid}"
            )
            if has_events
            else iter(())
        )
        if store.has_table(SEALS):
            head_row = store.execute(
                f"SELECT notification_id, chain_hash FROM {SEALS} "
                "ORDER BY notification_id DESC LIMIT 1"
            ).fetchone()
            seals: Iterator[Row] = store.stream(
                "SELECT notification_id, originator_id, originator_version, event_hash, "
                f"chain_hash FROM {SEALS} ORDER BY notification_id"
            )
        else:
            head_row, seals = None, iter(())
        head_id = head_row[0] if head_row else None
        first = _version_problem(store) if has_events else None
        found: tuple[int, str] | None = None  # the first problem of the walk
        n_events = n_sealed = n_unsealed = 0
        previous = GENESIS
        for e, s in _merge(events, seals):
            n_events += e is not None
            n_sealed += s is not None
            if s is None and e is not None and (head_id is None or e[0] > head_id):
                n_unsealed += 1
            elif found is None and not (
                e is not None
                and s is not None  # the usual case, checked inline: all matches
                and (digest := event_hash(*e).hex()) == s[3]
                and chain(previous, bytes.fromhex(digest)).hex() == s[4]
                and str(e[1]) == s[1]
                and e[2] == s[2]
            ):
                found = _problem(e, s, previous, chain, head_id)
            if s is not None:
                previous = from_hex(s[4])

    if found is not None and (first is None or found[0] <= first[0]):
        first = found
    return VerifyReport(
        ok=first is None,
        events=n_events,
        sealed=n_sealed,
        unsealed=n_unsealed,
        head=head_row[1] if head_row else None,
        problem=first[1] if first else None,
        first_bad=first[0] if first else None,
    )


def _merge(events: Iterator[Row], seals: Iterator[Row]) -> Iterator[tuple[Row | None, Row | None]]:
    """(event, seal) pairs in notification order; None on the side that has no such id."""
    e, s = next(events, None), next(seals, None)
    while e is not None or s is not None:
        if e is None or (s is not None and s[0] < e[0]):
            yield None, s
            s = next(seals, None)
        elif s is None or e[0] < s[0]:
            yield e, None
            e = next(events, None)
        else:
            yield e, s
            e, s = next(events, None), next(seals, None)


def _problem(
    e: Row | None, s: Row | None, previous: bytes, chain: Chain, head_id: int | None
) -> tuple[int, str] | None:
    """What is wrong at one notification id: `e` the stored event, `s` its seal, `previous`
    the chain hash of the seal before."""
    if s is None:
        assert e is not None
        return e[0], (
            f"{_name(*e[:4])} has no seal although it lies inside the sealed range (up to "
            f"#{head_id}): it was inserted after sealing, or its seal row was deleted"
        )
    s_nid, s_originator, s_version, s_event, s_chain = s
    if not recomputes(chain, previous, s_event, s_chain):
        return s_nid, _seal_edited(s)
    if e is None:
        return s_nid, (
            f"{_name(s_nid, s_originator, s_version)} was deleted: its seal exists but the "
            "event is gone"
        )
    same = (text(e[1]), text(e[2])) == (text(s_originator), text(s_version))
    if event_hash(*e).hex() != s_event:
        if same:
            return s_nid, (
                f"{_name(*e[:4])} was changed: its topic or state no longer matches its seal"
            )
        return s_nid, (
            f"{_name(*e[:4])} is not the event sealed at #{s_nid} (originator "
            f"{text(s_originator)}, version {s_version}): events were reordered, inserted or "
            "moved between notification ids, or this event's originator or version was changed"
        )
    if not same:
        return s_nid, (
            f"seal #{s_nid} records originator {text(s_originator)}, version {s_version}, but "
            f"the event it hashes is {_name(*e[:4])}: the {SEALS} table was edited"
        )
    return None


def _seal_edited(s: Row) -> str:
    return (
        f"seal #{s[0]} (originator {text(s[1])}, version {s[2]}) does not recompute: the "
        f"{SEALS} table was edited (or the key is not the one the chain was sealed with)"
    )


__all__ = [
    "BATCH",
    "SEALS",
    "SealRefused",
    "Sealer",
    "VerifyReport",
    "chain_function",
    "event_hash",
    "events_table",
    "seal",
    "sealed_up_to",
    "verify",
]
