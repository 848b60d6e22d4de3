"""A command-line argument holding a control character other than tab and newline is one line
naming the option (or the argument) and the rule, with exit status 2 and nothing done."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from api.settings import get_settings

RULE = "must not contain control characters other than tab and newline"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[object]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRAINPLAN_DATABASE_URL", raising=False)
    get_settings.cache_clear()

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    yield invoke
    get_settings.cache_clear()


def line_of(result: Result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_option_with_a_control_character_is_one_line_naming_the_option(run, tmp_path):  # type: ignore[no-untyped-def]
    result = run("needs", "list", "--course", "GP\x0705")
    assert result.exit_code == 2
    assert line_of(result) == f"--course: {RULE} (found U+0007 at character 3)"
    result = run("needs", "list", "--course=GP\x1b05")
    assert result.exit_code == 2
    assert line_of(result) == f"--course: {RULE} (found U+001B at character 3)"
    assert not (tmp_path / "trainplan-data").exists()  # refused before the store was opened


def test_an_argument_with_a_control_character_is_one_line_naming_it(run):  # type: ignore[no-untyped-def]
    result = run("prospectus", "2003/04\x7f")
    assert result.exit_code == 2
    assert line_of(result) == f"argument '2003/04\\x7f': {RULE} (found U+007F at character 8)"
