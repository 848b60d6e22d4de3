"""What a new user gets wrong at the command line gets one clear line naming the problem, a
non-zero exit and no change: no traceback, no file left behind, no run recorded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from api.settings import get_settings
from domain import PlanningCycle, TrainingPlanner, store_env
from tests.conftest import PG_HOST, PG_PORT, PG_USER
from tests.factories import a_cycle, a_facility, a_group, a_session, an_endorsed_need

Cli = Callable[..., Result]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Cli]:
    """`trainplan ARGS...` in this process, in an empty folder, with the given settings."""
    monkeypatch.chdir(tmp_path)
    for name in ("TRAINPLAN_DATABASE_URL", "TRAINPLAN_TOKENS", "TRAINPLAN_TOKENS_FILE"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, **env: str) -> Result:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return CliRunner().invoke(app, list(args))

    yield run
    get_settings.cache_clear()


def one_line(result: Result) -> str:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_exporting_to_a_folder_that_does_not_exist_names_the_folder(cli: Cli, tmp_path: Path):
    result = cli("audit", "export", "-o", "/nonexistent/dir/x.jsonl")
    assert result.exit_code == 2
    assert one_line(result) == "--output: the folder /nonexistent/dir does not exist"
    assert list(tmp_path.iterdir()) == []


def test_a_store_url_of_another_database_names_the_setting_and_what_it_takes(
    cli: Cli, tmp_path: Path
):
    result = cli("projections", "status", TRAINPLAN_DATABASE_URL="mysql://x")
    assert result.exit_code == 2
    line = one_line(result)
    assert line.startswith("TRAINPLAN_DATABASE_URL: must start with sqlite:///")
    assert "postgresql+psycopg://" in line
    assert list(tmp_path.iterdir()) == []


def test_help_is_shown_whatever_the_settings(cli: Cli):
    result = cli("projections", "status", "--help", TRAINPLAN_DATABASE_URL="mysql://x")
    assert result.exit_code == 0
    assert "Usage: trainplan projections status" in result.output


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist_is_named_with_how_to_create_it(
    cli: Cli, postgres_session_url: str
):
    url = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/trainplan_no_such_db"
    result = cli("audit", "verify", TRAINPLAN_DATABASE_URL=url)
    assert result.exit_code == 1
    line = one_line(result)
    assert 'database "trainplan_no_such_db" does not exist' in line
    assert "createdb" in line


@pytest.mark.parametrize(
    ("tokens", "said"),
    [
        ("{not json", "TRAINPLAN_TOKENS: must be JSON mapping tokens to principals"),
        ('{"t0k3n": {"name": "x", "role": "boss"}}', "role must be one of"),
        ('["t0k3n"]', "must be a JSON object mapping tokens to principals"),
    ],
)
def test_malformed_tokens_stop_serve_before_it_starts(cli: Cli, tokens: str, said: str):
    result = cli("serve", TRAINPLAN_TOKENS=tokens)
    assert result.exit_code == 2
    assert said in one_line(result)


def test_a_port_out_of_range_is_refused_by_name(cli: Cli):
    result = cli("serve", "--port", "99999")
    assert result.exit_code == 2
    assert "--port" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def published(tmp_path: Path) -> tuple[str, UUID]:
    """A store with a cycle whose published prospectus pinned one session (£1,700 of cash)
    and one endorsed need, on SQLite."""
    url = f"sqlite:///{tmp_path / 'store' / 'trainplan.db'}"
    planner = TrainingPlanner(env=store_env(url))
    try:
        group = a_group(planner)
        need = an_endorsed_need(planner, group)
        gym = a_facility(planner)
        cycle = a_cycle(planner)
        session = {**a_session("S1", gym, need, group), "pinned": True}
        planner.record_run(cycle, run_id="run-1", inputs_digest="d", settings={},
                           status="OPTIMAL", objective=1.0, bound=1.0, actor="tmb",
                           allocation={"sessions": [session]})  # fmt: skip
        planner.draft_prospectus(cycle, run_id="run-1", actor="tmb")
        planner.publish_prospectus(cycle, reason="TMB approved", actor="tmb")
    finally:
        planner.close()
    return url, cycle


def runs_recorded(url: str, cycle: UUID) -> int:
    planner = TrainingPlanner(env=store_env(url))
    try:
        found = planner.load(PlanningCycle, cycle)
        return len(found.runs) + len(found.runs_in_progress)
    finally:
        planner.close()


@pytest.mark.parametrize(
    ("what_if", "said"),
    [
        ("close=Nowhere", "--what-if 'close=Nowhere': centres: 'Nowhere' must name exactly one"),
        ("foo", "--what-if 'foo': must be key=value"),
        ("allowance.XX=10", "--what-if 'allowance.XX=10': allowances: 'XX' must name one"),
        (
            "budget=1000",
            "--what-if 'budget=1000': budget: £1,000 is below the £1,700 already committed",
        ),
    ],
)
def test_every_what_if_is_checked_before_anything_is_solved_or_recorded(
    cli: Cli, published: tuple[str, UUID], what_if: str, said: str
):
    url, cycle = published
    result = cli("optimise", "2003/04", "--time-limit", "5", "--what-if", "name=fine;budget=5000000",
                 "--what-if", what_if, TRAINPLAN_DATABASE_URL=url)  # fmt: skip
    assert result.exit_code == 2, result.output
    line = one_line(result)
    assert line.startswith(said), line
    assert runs_recorded(url, cycle) == 1  # only the run the prospectus came from


def test_a_budget_what_if_below_the_pinned_sessions_says_it_is_the_budget_rule(
    cli: Cli, published: tuple[str, UUID]
):
    url, _ = published
    result = cli("optimise", "2003/04", "--what-if", "budget=1000", TRAINPLAN_DATABASE_URL=url)
    line = one_line(result)
    assert "(the 1 pinned session cost £1,700)" in line
    assert "so the budget rule cannot hold" in line


def test_an_unknown_cycle_names_the_cycles_there_are(cli: Cli, published: tuple[str, UUID]):
    url, _ = published
    result = cli("cycles", "runs", "2099/00", TRAINPLAN_DATABASE_URL=url)
    assert result.exit_code == 2
    assert one_line(result) == (
        "CYCLE: no planning cycle is called '2099/00'; the cycles are 2003/04 "
        "(`trainplan cycles list`)"
    )
