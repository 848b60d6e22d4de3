"""Exactly once under re-delivery and failure, rebuild identity, one runner per read model."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy.exc

from domain import TrainingPlanner
from projections import (
    READ_MODEL_NAMES,
    Projections,
    RunnerBusy,
    UnknownReadModel,
    open_projections,
)
from projections.batches import apply_batch
from projections.events import read_events
from projections.read_model import Docs
from tests.projections.history import script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def projections(planner: TrainingPlanner, database_url: str) -> Iterator[Projections]:
    script(planner)
    views = open_projections(database_url)
    yield views
    views.close()


def test_a_redelivered_batch_changes_nothing(projections: Projections) -> None:
    events = read_events(projections.reader)
    needs = projections.read_models["needs"]
    with projections.engine.begin() as conn:
        assert apply_batch(conn, needs, events, Docs(needs.docs)) == len(events)
    before = projections.digests(["needs"])
    with projections.engine.begin() as conn:
        assert apply_batch(conn, needs, events, Docs(needs.docs)) == 0
    with projections.engine.begin() as conn:  # a batch that overlaps the tracked position
        assert apply_batch(conn, needs, events[-5:], Docs(needs.docs)) == 0
    assert projections.digests(["needs"]) == before
    assert projections.positions()["needs"] == events[-1]["id"]


def test_a_batch_that_fails_leaves_neither_rows_nor_position_and_a_retry_completes_it(
    projections: Projections, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycles = projections.read_models["cycles"].read_model
    real_render = cycles.render

    def failing(key, doc, docs):  # type: ignore[no-untyped-def]
        if key.startswith("PlanningCycle:") and doc["runs"]:
            lost = ConnectionError("server closed the connection unexpectedly")
            raise sqlalchemy.exc.OperationalError("INSERT INTO cycles ...", {}, lost)
        return real_render(key, doc, docs)

    monkeypatch.setattr(cycles, "render", failing)
    with pytest.raises(sqlalchemy.exc.OperationalError, match="connection"):
        projections.catch_up(["cycles"], batch=7)
    stopped_at = projections.positions()["cycles"]
    assert 0 < stopped_at < projections.head()
    assert projections.query("runs")[1] == 0  # the failed batch left no row behind
    assert projections.quarantined() == []  # a lost connection is no event's fault
    monkeypatch.setattr(cycles, "render", real_render)
    projections.catch_up()
    recovered = projections.digests()
    projections.rebuild()
    assert projections.digests() == recovered


def test_a_rebuild_from_zero_gives_identical_rows(projections: Projections) -> None:
    projections.catch_up()
    before = projections.digests()
    positions = projections.rebuild(batch=3)
    assert projections.digests() == before
    assert positions == {name: projections.head() for name in before}


def test_read_models_at_different_positions_caught_up_together_match_a_rebuild(
    planner: TrainingPlanner, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    positions = script(planner).positions
    views = open_projections(database_url)
    try:
        views.catch_up(["needs", "audit"], upto=positions["drafted"])
        views.catch_up(["group_time", "cycles"], upto=positions["needs decided"] + 3)
        views.catch_up(["facilities"], upto=positions["facilities registered"])
        apart = views.positions()
        assert len(set(apart.values())) == 4  # centres still at 0
        with caplog.at_level(logging.WARNING, logger="trainplan.projections"):
            views.catch_up(batch=5)  # batches straddle the read models' positions
        assert views.positions() == dict.fromkeys(READ_MODEL_NAMES, views.head())
        # each batch applied whole, in one transaction: no event applied twice (the audit
        # trail's unique positions would refuse it), none refused, nothing quarantined
        assert [r.getMessage() for r in caplog.records] == []
        assert views.quarantined() == []
        together = views.digests()
        views.rebuild()
        assert views.digests() == together
    finally:
        views.close()


def test_readers_see_the_old_complete_rows_until_the_rebuild_swaps_in(
    projections: Projections,
) -> None:
    projections.catch_up()
    complete = projections.query("audit", limit=1)[1]
    seen = []
    projections.rebuild(["audit"], batch=5, progress=lambda _: seen.append(
        projections.query("audit", limit=1)[1]))  # fmt: skip
    assert len(seen) > 3
    assert set(seen) == {complete}


def test_rebuilding_one_projection_leaves_the_others_alone(projections: Projections) -> None:
    projections.catch_up()
    before = projections.digests()
    with projections.engine.begin() as conn:  # someone damages two read models
        conn.exec_driver_sql("DELETE FROM needs_register")
        conn.exec_driver_sql("DELETE FROM centre_proposals")
    projections.rebuild(["needs"])
    after = projections.digests()
    assert after["needs"] == before["needs"]
    assert after["centres"] != before["centres"]


def test_an_unknown_projection_name_is_refused_and_nothing_is_rebuilt(
    projections: Projections,
) -> None:
    projections.catch_up()
    before = projections.digests()
    with pytest.raises(UnknownReadModel, match="'gossip' does not exist; known: audit, centres"):
        projections.rebuild(["needs", "gossip"])
    assert projections.digests() == before


def test_a_second_runner_is_refused_naming_the_first(
    database_url: str, planner: TrainingPlanner
) -> None:
    first, second = open_projections(database_url), open_projections(database_url)
    try:
        first.acquire(holder="runner-1")
        with pytest.raises(RunnerBusy, match="already driven by runner 'runner-1'"):
            second.acquire(["needs"], holder="runner-2")
        first.release()
        second.acquire(["needs"], holder="runner-2")
    finally:
        first.close()
        second.close()


def test_a_killed_runner_never_leaves_its_projections_locked(
    database_url: str, planner: TrainingPlanner, tmp_path: Path
) -> None:
    code = textwrap.dedent(f"""
        import sys, time
        from projections import open_projections
        p = open_projections({database_url!r})
        p.acquire(holder="doomed")
        print("held", flush=True)
        time.sleep(600)
    """)
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        other = open_projections(database_url)
        try:
            with pytest.raises(RunnerBusy, match="doomed"):
                other.acquire(["needs"])
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            deadline = time.monotonic() + 10
            while True:
                try:
                    other.acquire()  # every projection the runner held
                    break
                except RunnerBusy:
                    assert time.monotonic() < deadline, "the lock outlived its holder"
                    time.sleep(0.1)
        finally:
            other.close()
    finally:
        child.kill()


def test_a_command_is_seen_after_catch_up_even_when_another_runner_drives_the_read_models(
    database_url: str, planner: TrainingPlanner
) -> None:
    follower, reader = open_projections(database_url), open_projections(database_url)
    stop = threading.Event()
    thread = threading.Thread(target=follower.follow, args=(stop,), kwargs={"poll": 0.05})
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while follower._held != set(READ_MODEL_NAMES):  # the follower has taken them all
            assert time.monotonic() < deadline
            time.sleep(0.01)
        from tests.factories import a_group

        a_group(planner, code="CO", name="Central Operations")
        reader.catch_up(wait=10)
        assert reader.query("group_time", filters={"code": "CO"})[1] == 1
    finally:
        stop.set()
        thread.join(timeout=10)
        follower.close()
        reader.close()
