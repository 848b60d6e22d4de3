"""The embedded default keeps every file it makes in one data directory: ./trainplan-data,
or the folder TRAINPLAN_DATA_DIR names; the working directory gets nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.settings import get_settings


@pytest.fixture(autouse=True)
def no_store_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("TRAINPLAN_DATABASE_URL", "TRAINPLAN_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_store_its_read_models_locks_and_keys_are_all_in_trainplan_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["needs", "list"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["trainplan-data"]
    made = sorted(p.name for p in (tmp_path / "trainplan-data").iterdir())
    assert {"trainplan.db", "trainplan-views.db", "trainplan.idempotency.db"} <= set(made)


def test_trainplan_data_dir_names_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRAINPLAN_DATA_DIR", str(tmp_path / "elsewhere" / "data"))
    result = CliRunner().invoke(app, ["cycles", "list"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["elsewhere"]
    assert (tmp_path / "elsewhere" / "data" / "trainplan.db").is_file()
