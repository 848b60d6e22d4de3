"""A planner's day at the command line: the listings (facilities, needs, cycles, runs), a
schedule of usage imported from a spreadsheet (previewed first), and the prospectus as a table
grouped by course or as a file, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from api.cli import app
from api.settings import get_settings
from domain import Facility, TrainingPlanner, store_env
from tests.factories import a_cycle, a_facility, a_group, a_session, an_endorsed_need


@pytest.fixture
def world(database_url: str) -> Iterator[dict[str, Any]]:
    """TP with an endorsed GP05 need and its gym, a central classroom, and cycle 2003/04 whose
    draft has 1,050 GP05 sessions (more than one page of the read models) of which the first
    two are published."""
    planner = TrainingPlanner(env=store_env(database_url))
    try:
        group = a_group(planner)
        need = an_endorsed_need(planner, group)
        gym = a_facility(planner, name="Lambeth gym", site="Lambeth borough",
                         owning_group_id=group)  # fmt: skip
        a_facility(planner, name="Classroom 1", site="Hendon")
        cycle = a_cycle(planner)
        days = [f"2003-{m:02d}-{d:02d}" for m in (5, 6, 7) for d in (6, 13, 20, 27)]
        sessions = [
            a_session(f"S{n:04d}", gym, need, group, starts_on=days[n % len(days)],
                      ends_on=days[n % len(days)])
            for n in range(1050)
        ]  # fmt: skip
        planner.record_run(cycle, run_id="run-1", inputs_digest="d", settings={},
                           status="OPTIMAL", objective=1.0, bound=1.0, actor="tmb",
                           allocation={"sessions": sessions[:2]})  # fmt: skip
        planner.draft_prospectus(cycle, run_id="run-1", actor="tmb")
        planner.publish_prospectus(cycle, reason="TMB approved", actor="tmb")
        planner.record_run(cycle, run_id="run-2", inputs_digest="d", settings={},
                           status="FEASIBLE", objective=1.0, bound=2.0, actor="tmb",
                           allocation={"sessions": sessions})  # fmt: skip
        planner.draft_prospectus(cycle, run_id="run-2", actor="tmb")
    finally:
        planner.close()
    yield {"url": database_url, "gym": gym, "cycle": cycle}
    get_settings.cache_clear()


def trainplan(world: dict[str, Any], *args: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setenv("TRAINPLAN_DATABASE_URL", world["url"])
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    return CliRunner().invoke(app, list(args))


def test_the_listings_name_groups_by_code_and_answer_csv(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = trainplan(world, "facilities", "list", "--format", "csv", monkeypatch=monkeypatch)
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [(r["Name"], r["Group"], r["Features"]) for r in rows] == [
        ("Classroom 1", "", "gym, mats"),
        ("Lambeth gym", "TP", "gym, mats"),
    ]
    needs = trainplan(world, "needs", "list", "--group", "tp", monkeypatch=monkeypatch)
    assert "Officer safety refresher" in needs.stdout and "scheduled" in needs.stdout
    cycles = trainplan(world, "cycles", "list", monkeypatch=monkeypatch)
    assert "2003/04" in cycles.stdout and "published" in cycles.stdout
    runs = trainplan(world, "cycles", "runs", "2003/04", "--format", "json",
                     monkeypatch=monkeypatch)  # fmt: skip
    assert '"run_id": "run-2"' in runs.stdout


def test_a_schedule_is_previewed_then_imported_and_a_bad_sheet_lists_every_row(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sheet = tmp_path / "lambeth.csv"
    sheet.write_text("Starts on;Ends on;Kind;Purpose\n14/04/2003;14/04/2003;Booking;Briefing\n")
    args = ["facilities", "import-schedule", "lambeth gym", str(sheet),
            "--from", "2003-04-01", "--to", "2003-04-30"]  # fmt: skip
    preview = trainplan(world, *args, "--dry-run", monkeypatch=monkeypatch)
    assert preview.exit_code == 0, preview.output
    assert "1 added, 0 replaced, 0 removed" in preview.stdout
    assert "Dry run: nothing was stored." in preview.stdout
    assert usage(world) == []
    stored = trainplan(world, *args, monkeypatch=monkeypatch)
    assert stored.exit_code == 0, stored.output
    assert usage(world) == [("2003-04-14", "Briefing")]

    sheet.write_text(
        "starts_on,ends_on,kind,purpose\n2003-04-31,2003-04-14,booking,Bad day\n"
        "2003-04-15,2003-04-15,Party,Leaving do\n"
    )
    refused = trainplan(world, *args, monkeypatch=monkeypatch)
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "row 2, starts_on '2003-04-31': must be a date: YYYY-MM-DD or DD/MM/YYYY",
        "row 3, kind 'Party': must be booking or closure (any case), or blank for a booking",
    ]
    assert usage(world) == [("2003-04-14", "Briefing")]


def usage(world: dict[str, Any]) -> list[tuple[str, str]]:
    planner = TrainingPlanner(env=store_env(world["url"]))
    try:
        gym = planner.load(Facility, UUID(str(world["gym"])))
        return [(e["starts_on"], e["purpose"]) for e in gym.usage]
    finally:
        planner.close()


def test_the_prospectus_is_grouped_by_course_and_any_limit_works(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = trainplan(world, "prospectus", "2003/04", monkeypatch=monkeypatch)
    assert printed.exit_code == 0, printed.output
    assert "GP05 Officer safety refresher" in printed.stdout
    assert "1 of 2" in printed.stdout and "2 of 2" in printed.stdout
    whole = trainplan(world, "prospectus", "2003/04", "--draft", "--limit", "3000",
                      "--format", "json", monkeypatch=monkeypatch)  # fmt: skip
    assert whole.exit_code == 0, whole.output
    assert whole.stdout.count('"session_id"') == 1050
    page = trainplan(world, "prospectus", "2003/04", "--draft", "--offset", "1040",
                     "--month", "2003-07", "--format", "csv", monkeypatch=monkeypatch)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(page.stdout.lstrip("\ufeff"))))
    july = 1050 * 4 // 12
    assert len(rows) == july - 1040 if july > 1040 else rows == []
    assert all(r["Starts"].startswith("2003-07") for r in rows)


def test_the_prospectus_as_icalendar_and_excel_files(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ics, xlsx = tmp_path / "p.ics", tmp_path / "p.xlsx"
    made = trainplan(world, "prospectus", "2003/04", "--format", "ics", "-o", str(ics),
                     monkeypatch=monkeypatch)  # fmt: skip
    assert made.exit_code == 0, made.output
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "GP05 Officer safety refresher, session 1 of 2",
        "GP05 Officer safety refresher, session 2 of 2",
    ]
    made = trainplan(world, "prospectus", "2003/04", "--draft", "--venue", "lambeth",
                     "--format", "xlsx", "-o", str(xlsx), monkeypatch=monkeypatch)  # fmt: skip
    assert made.exit_code == 0, made.output
    sheet = load_workbook(xlsx).active
    assert sheet is not None and sheet.max_row == 1051


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--group", "XX"], "--group: no business group has the code 'XX'; the codes are TP"),
        (["--month", "2003-7"], "--month: must be YYYY-MM, e.g. 2003-06 (not '2003-7')"),
        (["--format", "xlsx", "-o", "/nonexistent/p.xlsx"], "--output: the folder /nonexistent"),
    ],
)
def test_a_bad_prospectus_option_is_one_line(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, args: list[str], said: str
) -> None:
    refused = trainplan(world, "prospectus", "2003/04", *args, monkeypatch=monkeypatch)
    assert refused.exit_code == 2
    assert refused.stderr.strip().startswith(said), refused.stderr
