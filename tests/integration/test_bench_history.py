"""The benchmarks' history (bench/history.py) is made through the real application and its
events, records runs in the optimiser's own shape, and rebuilds into every read model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.force.store import ensure_history
from domain import TrainingPlanner, store_env
from planning.model import PlanningResult
from projections import Projections
from tests.conftest import empty_postgres

EVENTS = 24_000  # the first cycle's runs, its draft and its first publication (seed 1)


def test_a_small_history_generates_with_runs_in_the_optimisers_shape_and_rebuilds(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'history.db'}"
    marker = ensure_history(url, EVENTS, 1, say=lambda _: None)

    assert marker["events"] == EVENTS
    kinds = marker["event_types"]
    assert kinds["PlanningCycle.OptimisationRunRecorded"] >= 2
    assert kinds["PlanningCycle.ProspectusPublished"] >= 1
    planner = TrainingPlanner(env=store_env(url))
    try:
        cycle = planner.repository.get(planner.cycle_id_for_name(marker["cycles"][0]))
        recorded = [r for r in cycle.runs.values() if r.get("allocation", {}).get("sessions")]
    finally:
        planner.close()
    assert recorded, "no run with sessions was recorded"
    shape = list(PlanningResult("", None, None, 0.0, "").to_dict())
    assert all(list(run["allocation"]) == shape for run in recorded)

    projections = Projections(url)
    try:
        positions = projections.rebuild()
        assert set(positions.values()) == {EVENTS}
        assert projections.quarantined() == []
        first = projections.digests()
        runs, _ = projections.query("runs", limit=100)
        sessions, _ = projections.query("prospectus", limit=1)
        assert len(runs) == kinds["PlanningCycle.OptimisationRunStarted"]
        assert sessions, "the published prospectus has no sessions"
        projections.rebuild()
        assert projections.digests() == first
    finally:
        projections.close()


@pytest.mark.postgres
def test_the_same_history_rebuilds_to_the_same_rows_on_postgresql_as_on_sqlite(
    tmp_path: Path, postgres_session_url: str
) -> None:
    """Large batches take PostgreSQL's COPY path (`projections.database.insert_rows`); the
    rows must be those SQLite gets, digest for digest."""
    empty_postgres(postgres_session_url)
    found = {}
    for url in (f"sqlite:///{tmp_path / 'history.db'}", postgres_session_url):
        ensure_history(url, EVENTS, 1, say=lambda _: None, replace=True)
        projections = Projections(url)
        try:
            assert set(projections.rebuild(processes=2).values()) == {EVENTS}
            assert projections.quarantined() == []
            found[url] = projections.digests()
        finally:
            projections.close()

    sqlite, postgresql = found.values()
    assert postgresql == sqlite
