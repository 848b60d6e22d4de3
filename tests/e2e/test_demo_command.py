"""`trainplan demo` end to end, as a new user runs it."""

import os
import subprocess
import sys
from pathlib import Path

from domain import TrainingPlanner, store_env

ROOT = Path(__file__).resolve().parents[2]


def trainplan(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRAINPLAN_DATABASE_URL": database_url, "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def event_count(database_url: str) -> int:
    planner = TrainingPlanner(env=store_env(database_url))
    try:
        return planner.recorder.max_notification_id() or 0
    finally:
        planner.close()


def test_the_demo_records_the_scenario_once_and_a_second_run_changes_nothing(
    database_url: str, tmp_path: Path
):
    first = trainplan("demo", database_url=database_url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Territorial Policing" in first.stdout
    assert "Endorsed h/head" in first.stdout
    recorded = event_count(database_url)
    assert recorded > 100
    assert "Published the 2003/04 prospectus" in first.stdout
    assert "demo-tmb" in first.stdout

    second = trainplan("demo", database_url=database_url, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already" in second.stdout
    assert event_count(database_url) == recorded


def test_help_lists_the_commands_and_an_unknown_option_is_refused(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert "demo" in trainplan("--help", database_url=url, cwd=tmp_path).stdout
    refused = trainplan("demo", "--no-such-option", database_url=url, cwd=tmp_path)
    assert refused.returncode == 2
    assert "No such option" in refused.stderr


def test_the_demo_ends_with_a_recorded_run_and_a_published_prospectus_confirmed_at_facilities(
    database_url: str, tmp_path: Path
):
    from projections import open_projections

    done = trainplan("demo", "--time-limit", "5", database_url=database_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    views = open_projections(database_url)
    try:
        views.catch_up()
        runs, _ = views.query("runs")
        assert len(runs) == 1 and runs[0]["state"] == "recorded"
        assert runs[0]["status"] in ("OPTIMAL", "FEASIBLE")
        cycle = views.query("cycles")[0][0]
        assert cycle["status"] == "published" and cycle["published_sessions"] > 100
        confirmed = views.query("facility_calendar", filters={"kind": "session"})[1]
        assert confirmed == cycle["published_sessions"] - sum(
            1
            for s in views.query(
                "prospectus", filters={"edition": "published", "venue_kind": "centre"}, limit=1000
            )[0]
        )
        scheduled = views.query("needs", filters={"status": "scheduled"})[1]
        assert scheduled > 0
    finally:
        views.close()
    printed = trainplan(
        "prospectus", "2003/04", "--limit", "3", database_url=database_url, cwd=tmp_path
    )
    assert printed.returncode == 0, printed.stderr
    assert "Prospectus 2003/04 (published)" in printed.stdout
