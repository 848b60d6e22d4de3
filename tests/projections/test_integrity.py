"""Tamper evidence: seal the notification log, then tamper with the real tables by hand.

Every test runs on SQLite and on PostgreSQL. The tampering is plain SQL against the library's
own `stored_events` table (and our `event_seals`), as someone with write access would do it."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import psycopg
import pytest

from domain.store import is_postgres, sqlite_path, store_env
from projections import integrity
from projections.integrity import (
    SealRefused,
    chain_function,
    event_hash,
    events_table,
    seal,
    verify,
)
from tests.factories import a_cycle, a_facility, a_group, an_endorsed_need

KEY = b"the auditors' sealing key"


# -- raw SQL against the store -------------------------------------------------------------------


def _connect(url: str) -> Any:
    if is_postgres(url):
        env = store_env(url)
        return psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=int(env["POSTGRES_PORT"]),
            user=env["POSTGRES_USER"],
            dbname=env["POSTGRES_DBNAME"],
        )
    return sqlite3.connect(sqlite_path(url), timeout=10)


def sql(url: str, *statements: tuple[str, tuple[Any, ...]] | str) -> None:
    """Runs the statements in one transaction (`?` placeholders on both engines)."""
    connection = _connect(url)
    try:
        for statement in statements:
            text, params = (statement, ()) if isinstance(statement, str) else statement
            if is_postgres(url):
                text = text.replace("?", "%s")
            connection.execute(text, params)
        connection.commit()
    finally:
        connection.close()


def rows(url: str, text: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    connection = _connect(url)
    try:
        if is_postgres(url):
            text = text.replace("?", "%s")
        return [tuple(row) for row in connection.execute(text, params).fetchall()]
    finally:
        connection.close()


def table(url: str) -> str:
    """The library's events table: stored_events (SQLite), trainingplanner_events (PostgreSQL)."""
    return events_table(url)


def nid(url: str) -> str:
    """The notification id column: SQLite's rowid, PostgreSQL's notification_id."""
    return "notification_id" if is_postgres(url) else "rowid"


def stored(url: str) -> list[tuple[Any, ...]]:
    """(notification id, originator id, version, topic, state) of every event, in order."""
    n = nid(url)
    return rows(
        url,
        f"SELECT {n}, originator_id, originator_version, topic, state "
        f"FROM {table(url)} ORDER BY {n}",
    )


def tables(url: str) -> list[str]:
    if is_postgres(url):
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
    return [row[0] for row in rows(url, query)]


def a_history(planner) -> None:
    """Seven events: a group (#1), an endorsed need (#2..#5), a facility (#6), a cycle (#7)."""
    group = a_group(planner)
    an_endorsed_need(planner, group)
    a_facility(planner)
    a_cycle(planner)


def sealed_history(planner, database_url: str, key: bytes | None = None) -> list[tuple]:
    a_history(planner)
    events = stored(database_url)
    assert [e[0] for e in events] == [1, 2, 3, 4, 5, 6, 7]
    assert seal(database_url, key=key) == 7
    return events


def assert_caught(report, first_bad: int, *words: str) -> None:
    assert report.ok is False
    assert report.first_bad == first_bad
    assert f"#{first_bad}" in report.problem
    for word in words:
        assert word in report.problem, report.problem


# -- an honest store ---------------------------------------------------------------------------


def test_an_untouched_store_verifies(planner, database_url):
    events = sealed_history(planner, database_url)
    report = verify(database_url)
    assert report.ok is True
    assert report.events == report.sealed == len(events) == 7
    assert report.unsealed == 0
    assert report.problem is None and report.first_bad is None
    assert report.head is not None and len(report.head) == 64
    assert report.as_dict()["head"] == report.head
    assert set(report.as_dict()) == {
        "ok",
        "events",
        "sealed",
        "unsealed",
        "head",
        "problem",
        "first_bad",
    }


def test_the_head_is_the_chain_of_the_event_hashes_in_notification_order(planner, database_url):
    events = sealed_history(planner, database_url)
    chain, head = chain_function(None), bytes(32)
    for event in events:
        head = chain(head, event_hash(*event))
    assert verify(database_url).head == head.hex()


def test_sealing_twice_adds_nothing(planner, database_url):
    sealed_history(planner, database_url)
    head = verify(database_url).head
    assert seal(database_url) == 0
    assert rows(database_url, "SELECT count(*) FROM event_seals") == [(7,)]
    assert verify(database_url).head == head


def test_events_recorded_after_a_seal_show_as_unsealed_until_the_next_seal(planner, database_url):
    sealed_history(planner, database_url)
    head = verify(database_url).head
    a_facility(planner, name="Range 2")
    a_facility(planner, name="Gym 3")
    report = verify(database_url)
    assert (report.ok, report.events, report.sealed, report.unsealed) == (True, 9, 7, 2)
    assert report.head == head
    assert seal(database_url) == 2
    report = verify(database_url)
    assert (report.ok, report.events, report.sealed, report.unsealed) == (True, 9, 9, 0)
    assert report.head != head


def test_a_store_never_sealed_verifies_as_unsealed_and_verify_changes_nothing(
    planner, database_url
):
    a_history(planner)
    before = tables(database_url), stored(database_url)
    report = verify(database_url)
    assert (report.ok, report.events, report.sealed, report.unsealed) == (True, 7, 0, 7)
    assert report.head is None
    assert (tables(database_url), stored(database_url)) == before
    if "event_seals" in before[0]:  # PostgreSQL keeps the table of earlier tests, emptied
        assert rows(database_url, "SELECT count(*) FROM event_seals") == [(0,)]


def test_sealing_in_small_batches_gives_the_same_chain(planner, database_url, monkeypatch):
    events = sealed_history(planner, database_url)
    head = verify(database_url).head
    sql(database_url, "DELETE FROM event_seals")
    monkeypatch.setattr(integrity, "BATCH", 2)
    assert seal(database_url) == len(events)
    report = verify(database_url)
    assert report.ok and report.sealed == 7 and report.head == head


def test_two_sealers_at_once_seal_each_event_exactly_once(planner, database_url, monkeypatch):
    a_history(planner)
    monkeypatch.setattr(integrity, "BATCH", 2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sealer() -> None:
        try:
            counts.append(seal(database_url))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sealer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 7
    report = verify(database_url)
    assert report.ok and report.sealed == report.events == 7


# -- tampering with stored_events ----------------------------------------------------------------


def test_an_event_whose_state_bytes_were_updated_is_detected(planner, database_url):
    events = sealed_history(planner, database_url)
    target = events[2]  # #3: the need's performance needs analysis
    forged = bytes(target[4]).replace(b'"learners":120', b'"learners":12')
    assert forged != bytes(target[4])
    sql(
        database_url,
        (f"UPDATE {table(database_url)} SET state = ? WHERE {nid(database_url)} = 3", (forged,)),
    )
    report = verify(database_url)
    assert_caught(report, 3, "changed", str(target[1]), "version 2", target[3])


def test_an_event_whose_state_bytes_were_changed_but_kept_their_length_is_detected(
    planner, database_url
):
    events = sealed_history(planner, database_url)
    target = events[2]  # #3: the need's performance needs analysis
    original = bytes(target[4])
    forged = original.replace(b'"learners":120', b'"learners":999')
    assert forged != original and len(forged) == len(original)
    sql(
        database_url,
        (f"UPDATE {table(database_url)} SET state = ? WHERE {nid(database_url)} = 3", (forged,)),
    )
    report = verify(database_url)
    assert_caught(report, 3, "changed", str(target[1]), "version 2", target[3])


def test_the_event_hash_covers_every_byte_of_the_state_not_only_its_length():
    state = b'{"learners":120,"title":"Officer safety"}'
    same_length = b'{"learners":999,"title":"Officer safety"}'
    topic = "domain.needs:TrainingNeed.AnalysisRecorded"
    originator = "3f2a6a2e-0a51-4d8e-9d35-6a8f64f3c0a1"
    assert event_hash(3, originator, 2, topic, state) != event_hash(
        3, originator, 2, topic, same_length
    )
    assert event_hash(3, originator, 2, topic, memoryview(state)) != event_hash(
        3, originator, 2, topic, memoryview(same_length)
    )  # the general path (PostgreSQL's memoryview) too


def test_an_event_whose_topic_was_changed_is_detected(planner, database_url):
    sealed_history(planner, database_url)
    sql(
        database_url,
        f"UPDATE {table(database_url)} SET topic = 'domain.needs:TrainingNeed.Rejected' "
        f"WHERE {nid(database_url)} = 5",
    )
    assert_caught(verify(database_url), 5, "changed", "TrainingNeed.Rejected")


def test_an_event_deleted_from_the_middle_is_detected(planner, database_url):
    events = sealed_history(planner, database_url)
    sql(database_url, f"DELETE FROM {table(database_url)} WHERE {nid(database_url)} = 4")
    report = verify(database_url)
    assert_caught(report, 4, "deleted", str(events[3][1]), "version 3")
    assert report.events == 6 and report.sealed == 7


def test_every_event_deleted_is_detected_from_the_first_seal(planner, database_url):
    sealed_history(planner, database_url)
    sql(database_url, f"DELETE FROM {table(database_url)}")
    report = verify(database_url)
    assert_caught(report, 1, "deleted")
    assert (report.events, report.sealed) == (0, 7)


def test_a_middle_version_deleted_before_sealing_is_caught_by_the_version_gap(
    planner, database_url
):
    sealed_history(planner, database_url)
    an_endorsed_need(planner, a_group(planner, code="SO", name="Specialist Operations"))
    events = stored(database_url)  # #8 the group, #9..#12 the need
    assert [e[2] for e in events[8:12]] == [1, 2, 3, 4]
    sql(database_url, f"DELETE FROM {table(database_url)} WHERE {nid(database_url)} = 10")
    report = verify(database_url)
    assert_caught(report, 11, "version 3", "version 2 of this aggregate was deleted")
    assert str(events[8][1]) in report.problem


def test_a_forged_event_inserted_into_the_sealed_range_is_detected(planner, database_url):
    events = sealed_history(planner, database_url)
    need, endorsed = events[4][1], events[4]
    n = nid(database_url)
    # Make room at #4 by moving #4..#7 up one, then slip in a forged fifth version of the need.
    sql(
        database_url,
        f"UPDATE {table(database_url)} SET {n} = -{n} - 1 WHERE {n} >= 4",
        f"UPDATE {table(database_url)} SET {n} = -{n} WHERE {n} < 0",
        (
            f"INSERT INTO {table(database_url)} ({n}, originator_id, originator_version, topic, state) "
            "VALUES (4, ?, 5, ?, ?)",
            (need, endorsed[3], endorsed[4]),
        ),
    )
    report = verify(database_url)
    assert_caught(report, 4, "inserted", str(need), "version 5")
    assert report.unsealed == 1  # the last event, pushed beyond the sealed head


def test_two_events_swapped_between_notification_ids_are_detected(planner, database_url):
    events = sealed_history(planner, database_url)
    n = nid(database_url)
    sql(
        database_url,
        f"UPDATE {table(database_url)} SET {n} = -1 WHERE {n} = 2",
        f"UPDATE {table(database_url)} SET {n} = 2 WHERE {n} = 6",
        f"UPDATE {table(database_url)} SET {n} = 6 WHERE {n} = -1",
    )
    report = verify(database_url)
    assert_caught(report, 2, "reordered", str(events[5][1]))


def test_two_events_with_swapped_contents_are_detected(planner, database_url):
    events = sealed_history(planner, database_url)
    n = nid(database_url)
    facility, cycle = events[5], events[6]
    sql(
        database_url,
        (
            f"UPDATE {table(database_url)} SET topic = ?, state = ? WHERE {n} = 6",
            (cycle[3], cycle[4]),
        ),
        (f"UPDATE {table(database_url)} SET topic = ?, state = ? WHERE {n} = 7", facility[3:5]),
    )
    assert_caught(verify(database_url), 6, "changed", cycle[3])


# -- tampering with the seals -------------------------------------------------------------------


def test_an_edited_seal_row_is_detected(planner, database_url):
    events = sealed_history(planner, database_url)
    # Change event #3 and give its seal the matching event hash: the chain no longer recomputes.
    target = events[2]
    forged = bytes(target[4]).replace(b'"learners":120', b'"learners":12')
    n = nid(database_url)
    sql(
        database_url,
        (f"UPDATE {table(database_url)} SET state = ? WHERE {n} = 3", (forged,)),
        (
            "UPDATE event_seals SET event_hash = ? WHERE notification_id = 3",
            (event_hash(3, target[1], target[2], target[3], forged).hex(),),
        ),
    )
    assert_caught(verify(database_url), 3, "seal", "event_seals table was edited")


def test_an_edited_head_seal_is_detected_and_refuses_further_sealing(planner, database_url):
    sealed_history(planner, database_url)
    sql(
        database_url,
        ("UPDATE event_seals SET chain_hash = ? WHERE notification_id = 7", ("0" * 64,)),
    )
    assert_caught(verify(database_url), 7, "seal", "edited")
    a_facility(planner, name="Range 2")
    with pytest.raises(SealRefused, match="#7"):
        seal(database_url)


def test_a_deleted_seal_row_is_detected(planner, database_url):
    sealed_history(planner, database_url)
    sql(database_url, "DELETE FROM event_seals WHERE notification_id = 4")
    assert_caught(verify(database_url), 4, "no seal", "seal row was deleted")


# -- with and without a key ---------------------------------------------------------------------


def _rewrite_seals_without_key(url: str, forged_state: bytes, at: int) -> None:
    """What an attacker without the key does: change event `at` and recompute every seal from it
    on with plain sha256, continuing from the stored chain hash before it."""
    n = nid(url)
    sql(url, (f"UPDATE {table(url)} SET state = ? WHERE {n} = ?", (forged_state, at)))
    chain = chain_function(None)
    previous = bytes.fromhex(
        rows(url, "SELECT chain_hash FROM event_seals WHERE notification_id = ?", (at - 1,))[0][0]
    )
    updates = []
    for event in stored(url)[at - 1 :]:
        digest = event_hash(*event)
        previous = chain(previous, digest)
        updates.append(
            (
                "UPDATE event_seals SET event_hash = ?, chain_hash = ? WHERE notification_id = ?",
                (digest.hex(), previous.hex(), event[0]),
            )
        )
    sql(url, *updates)


def test_with_a_key_a_chain_forged_without_the_key_fails(planner, database_url):
    events = sealed_history(planner, database_url, key=KEY)
    assert verify(database_url, key=KEY).ok
    assert not verify(database_url).ok  # a keyed chain does not recompute without the key
    _rewrite_seals_without_key(
        database_url, bytes(events[2][4]).replace(b'"learners":120', b'"learners":12'), at=3
    )
    assert_caught(verify(database_url, key=KEY), 3, "seal", "edited")


def test_without_a_key_a_consistent_rewrite_is_caught_only_by_the_recorded_head(
    planner, database_url
):
    events = sealed_history(planner, database_url)
    recorded = verify(database_url).head
    _rewrite_seals_without_key(
        database_url, bytes(events[2][4]).replace(b'"learners":120', b'"learners":12'), at=3
    )
    report = verify(database_url)
    assert report.ok is True  # the limit of an unkeyed chain ...
    assert report.head != recorded  # ... and why auditors write the head down


def test_sealing_on_with_another_key_is_refused(planner, database_url):
    sealed_history(planner, database_url, key=KEY)
    a_facility(planner, name="Range 2")
    with pytest.raises(SealRefused, match="key"):
        seal(database_url, key=b"another key")
    with pytest.raises(SealRefused):
        seal(database_url)
    assert seal(database_url, key=KEY) == 1
    assert verify(database_url, key=KEY).ok
