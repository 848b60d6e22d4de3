"""`trainplan groups capability CODE PERCENT`: a board sets its operational capability limit
at the command line; a percentage outside 0-100 or an unknown group is one line and changes
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings
from domain import BusinessGroup, TrainingPlanner, store_env
from tests.factories import a_group


def test_a_board_sets_its_weekly_limit_and_bad_values_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'trainplan.db'}"
    monkeypatch.setenv("TRAINPLAN_DATABASE_URL", url)
    planner = TrainingPlanner(env=store_env(url))
    try:
        so = a_group(planner, code="SO", name="Specialist Operations")
    finally:
        planner.close()
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        done = runner.invoke(app, ["groups", "capability", "so", "4", "--reason", "Olympics"])
        assert done.exit_code == 0, done.output
        assert "SO: at most 4% of its headcount away training in any week" in done.output
        too_much = runner.invoke(app, ["groups", "capability", "SO", "140", "--reason", "x"])
        assert too_much.exit_code == 2
        assert "PERCENT: must be a percentage from 0 to 100, not 140" in too_much.stderr
        unknown = runner.invoke(app, ["groups", "capability", "XX", "4", "--reason", "x"])
        assert unknown.exit_code == 2
        assert "CODE: no business group has the code 'XX'" in unknown.stderr
    finally:
        get_settings.cache_clear()
    planner = TrainingPlanner(env=store_env(url))
    try:
        group = planner.load(BusinessGroup, so)
        assert (group.capability_percent, group.version) == (4.0, 2)
    finally:
        planner.close()
