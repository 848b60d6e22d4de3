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
    assert "Learner-days" in first.stdout
    recorded = event_count(database_url)
    assert recorded > 100

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
