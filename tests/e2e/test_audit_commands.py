"""The auditors' and operators' commands as a user runs them: rebuild, replay as of, verify,
export and import."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from domain import TrainingPlanner
from projections import open_projections
from tests.e2e.test_demo_command import trainplan
from tests.projections.history import script


@pytest.fixture
def recorded(planner: TrainingPlanner, database_url: str) -> str:
    script(planner)
    return database_url


def digests(url: str) -> dict[str, str]:
    views = open_projections(url)
    try:
        views.catch_up()
        return views.digests()
    finally:
        views.close()


def test_a_rebuild_prints_each_projections_digest_and_changes_no_row(
    recorded: str, tmp_path: Path
) -> None:
    before = digests(recorded)
    done = trainplan("projections", "rebuild", database_url=recorded, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert before["needs"][:20] in done.stdout
    assert digests(recorded) == before


def test_bad_arguments_get_a_clear_error_and_change_nothing(recorded: str, tmp_path: Path) -> None:
    before = digests(recorded)
    unknown = trainplan("projections", "rebuild", "gossip", database_url=recorded, cwd=tmp_path)
    assert unknown.returncode == 2
    assert "projection 'gossip' does not exist" in unknown.stdout
    future = trainplan("audit", "replay", "--as-of", "2999-01-01", database_url=recorded,
                       cwd=tmp_path)  # fmt: skip
    assert future.returncode == 2
    assert future.stderr.strip() == "--as-of: 2999-01-01 is in the future"
    garbled = trainplan("audit", "replay", "--as-of", "yesterday", database_url=recorded,
                        cwd=tmp_path)  # fmt: skip
    assert garbled.returncode == 2
    assert garbled.stderr.strip() == "--as-of: 'yesterday' is not a date as YYYY-MM-DD"
    late = trainplan("audit", "replay", "--recorded-at", "teatime", database_url=recorded,
                     cwd=tmp_path)  # fmt: skip
    assert late.returncode == 2 and "--recorded-at: 'teatime' is not an ISO 8601" in late.stderr
    assert digests(recorded) == before


def test_replay_shows_the_read_models_as_they_were_after_an_event(
    recorded: str, tmp_path: Path
) -> None:
    shown = trainplan("audit", "replay", "--upto", "6", "--view", "needs", database_url=recorded,
                      cwd=tmp_path)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "after event 6" in shown.stdout
    assert "prioritised" in shown.stdout  # the first need, before the TMB endorsed it


def test_verify_passes_on_an_untouched_store_and_names_the_first_changed_event(
    sqlite_planner: TrainingPlanner, tmp_path: Path
) -> None:
    script(sqlite_planner)
    url = f"sqlite:///{tmp_path / 'trainplan.db'}"
    sealed = trainplan("audit", "verify", "--seal", database_url=url, cwd=tmp_path)
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    assert "Verified" in sealed.stdout
    with sqlite3.connect(tmp_path / "trainplan.db") as db:  # someone rewrites a decision
        changed = db.execute(
            "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), "
            "'No budget this year', 'Plenty of budget') AS BLOB) WHERE rowid = 11"
        ).rowcount
    assert changed == 1
    report = trainplan("audit", "verify", "--json", database_url=url, cwd=tmp_path)
    assert report.returncode == 1
    assert json.loads(report.stdout)["first_bad"] == 11


def test_an_exported_history_imported_into_an_empty_store_gives_the_same_read_models(
    recorded: str, tmp_path: Path
) -> None:
    exported = trainplan("audit", "export", "--output", "history.jsonl", database_url=recorded,
                         cwd=tmp_path)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert (first["position"], first["entity_kind"], first["type"]) == (1, "BusinessGroup",
                                                                       "Registered")  # fmt: skip
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    imported = trainplan("audit", "import", "history.jsonl", database_url=copy, cwd=tmp_path)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert digests(copy) == digests(recorded)
    again = trainplan("audit", "import", "history.jsonl", database_url=copy, cwd=tmp_path)
    assert again.returncode == 1 and "already holds" in again.stdout


def test_verify_on_a_store_that_does_not_exist_or_holds_no_events_says_so_and_fails(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "trainplan.db"
    for args in (("audit", "verify"), ("audit", "verify", "--seal", "--json")):
        nothing = trainplan(*args, database_url=f"sqlite:///{missing}", cwd=tmp_path)
        assert nothing.returncode == 1
        assert nothing.stderr.strip() == (
            f"TRAINPLAN_DATABASE_URL: there is no store at {missing}: nothing to verify"
        )
        assert not missing.exists()  # and none was made
    TrainingPlanner.open(f"sqlite:///{missing}").close()  # a store with its tables, no events
    empty = trainplan("audit", "verify", database_url=f"sqlite:///{missing}", cwd=tmp_path)
    assert empty.returncode == 1
    assert "holds no events: nothing to verify" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1


def test_a_sqlite_url_in_a_folder_that_does_not_exist_is_refused_not_created(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'trainplan.db'}"
    for args in (("audit", "verify"), ("needs", "list"), ("demo", "--time-limit", "1")):
        refused = trainplan(*args, database_url=url, cwd=tmp_path)
        assert refused.returncode == 2, (args, refused.stdout)
        assert refused.stderr.startswith("TRAINPLAN_DATABASE_URL: the folder ")
        assert "does not exist" in refused.stderr
    assert not (tmp_path / "no-such-folder").exists()


def test_the_trail_names_each_entity_and_shows_both_dates_without_internal_ids(
    recorded: str, tmp_path: Path
) -> None:
    import re
    from datetime import UTC, datetime

    shown = trainplan("audit", "trail", "--limit", "40", database_url=recorded, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "group TP" in text and "need Officer" in text
    assert "Audit trail: " in text and "effective on" in text and "recorded at" in text
    assert datetime.now(UTC).date().isoformat() in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", shown.stdout)  # no UUID where one reads
