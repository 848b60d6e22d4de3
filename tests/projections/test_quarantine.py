"""One event a read model cannot apply never stops it, nor the others, and never silently: it is
quarantined (the read model, the position, the event, the error, when), every read model
carries on past it, `trainplan projections status` and the API's `/health` show it, and
`trainplan projections retry` clears it once the cause is put right.

The poison event is a need whose title holds a NUL, recorded straight through the store (the
commands refuse it since the text rules): PostgreSQL cannot store a NUL in a text column, so
the needs register and the audit trail genuinely fail on it there. SQLite stores it; there a
needs handler that refuses such a title stands for the failure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from api.http.app import create_app
from api.http.read_your_writes import MIN_POSITION as MIN
from api.settings import Settings, get_settings
from domain import TrainingNeed, TrainingPlanner
from projections import READ_MODEL_NAMES, Projections, open_projections
from projections import batches as batches_module
from projections.database import insert_rows
from tests.factories import a_group, an_endorsed_need

POISON = "Officer\x00safety"


@pytest.fixture
def projections(database_url: str) -> Iterator[Projections]:
    views = open_projections(database_url)
    yield views
    views.close()


@pytest.fixture
def fault(projections: Projections, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Any:
    """Makes a NUL in a need's title fail to apply on SQLite as it does on PostgreSQL; returns
    the fix (what a code change putting the cause right would do, on either engine)."""
    needs = type(projections.read_models["needs"].read_model)  # every instance, the CLI's too
    real_identified = needs.identified
    if database_url.startswith("sqlite"):

        def refusing(self: Any, docs: Any, event: dict[str, Any]) -> None:
            if "\x00" in event["state"]["title"]:
                raise ValueError("a NUL cannot be stored in needs_register.title")
            real_identified(self, docs, event)

        monkeypatch.setattr(needs, "identified", refusing)

    def fix() -> None:
        monkeypatch.setattr(needs, "identified", real_identified)
        projections.read_models["needs"].read_model.__dict__.pop("_bound", None)  # handlers
        if database_url.startswith("sqlite"):
            return

        def without_nul(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
            cleaned = [
                {k: v.replace("\x00", "\ufffd") if isinstance(v, str) else v for k, v in r.items()}
                for r in rows
            ]
            insert_rows(conn, table, cleaned)

        monkeypatch.setattr(batches_module, "insert_rows", without_nul)

    return fix


def poison_need(planner: TrainingPlanner, group_id: UUID) -> int:
    """A need with a NUL in its title, recorded bypassing the commands' checks; its position."""
    need = TrainingNeed(
        group_id=group_id, title=POISON, trigger="new legislation", description="", actor="x"
    )
    planner.save(need)
    return int(planner.recorder.max_notification_id() or 0)


def titles(projections: Projections) -> list[str]:
    rows, _ = projections.query("needs")
    return sorted(row["title"] for row in rows)


def test_a_poison_event_is_quarantined_and_every_read_model_carries_on_past_it(
    planner: TrainingPlanner, projections: Projections, fault: Any, database_url: str
) -> None:
    group_id = a_group(planner)
    projections.catch_up()
    poison = poison_need(planner, group_id)
    an_endorsed_need(planner, group_id)  # later events, for every read model
    planner.set_allowance(group_id, hours_per_head=40, reason="Capability", actor="tp.chair")
    head = int(planner.recorder.max_notification_id() or 0)

    projections.catch_up(batch=3)  # the poison sits inside a batch of good events

    assert projections.positions() == dict.fromkeys(READ_MODEL_NAMES, head)
    held = projections.quarantined()
    assert {entry.position for entry in held} == {poison}
    assert "needs" in {entry.view for entry in held}
    needs = next(entry for entry in held if entry.view == "needs")
    assert needs.event_type == "TrainingNeed.Identified"
    assert needs.version == 1
    assert "NUL" in needs.error and "\x00" not in needs.error
    assert titles(projections) == ["Officer safety refresher"]  # the later need got through
    assert projections.query("group_time")[0][0]["allowance_hours_per_head"] == 40
    _, trail = projections.query("audit")
    assert trail == head - (1 if any(e.view == "audit" for e in held) else 0)


def test_status_and_health_show_the_quarantined_event_and_retry_clears_it_once_fixed(
    planner: TrainingPlanner,
    projections: Projections,
    fault: Any,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group_id = a_group(planner)
    poison = poison_need(planner, group_id)
    an_endorsed_need(planner, group_id)
    projections.catch_up()
    monkeypatch.setenv("TRAINPLAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()

    status = runner.invoke(cli, ["projections", "status"], terminal_width=200)
    assert status.exit_code == 0, status.output
    assert "Quarantined" in status.output
    assert "TrainingNeed.Identified" in status.output
    assert f"{poison}" in status.output

    with TestClient(create_app(Settings(database_url=database_url))) as client:
        health = client.get("/health").json()
        token = {"Authorization": "Bearer demo-auditor"}
        asked = client.get("/api/v1/needs-register", headers={**token, MIN: str(poison)})
        before = client.get("/api/v1/needs-register", headers={**token, MIN: str(poison - 1)})
        unasked = client.get("/api/v1/needs-register", headers=token)
    assert asked.status_code == 200, asked.text
    assert f"needs@{poison} (TrainingNeed.Identified)" in asked.headers["Trainplan-Quarantined"]
    assert "Trainplan-Quarantined" not in before.headers  # it asked for less than the poison
    assert "Trainplan-Quarantined" not in unasked.headers
    assert health["status"] == "degraded"
    assert health["quarantined"] == len(projections.quarantined()) >= 1
    assert {"view": "needs", "position": poison} in [
        {"view": e["view"], "position": e["position"]} for e in health["quarantine"]
    ]

    still = runner.invoke(cli, ["projections", "retry"], terminal_width=200)
    assert still.exit_code == 1  # not fixed yet: kept, and said so
    assert "Still failing" in still.output
    assert all(entry.attempts == 2 for entry in projections.quarantined())

    fault()  # the cause is put right
    retried = runner.invoke(cli, ["projections", "retry", "needs"], terminal_width=200)
    assert retried.exit_code == 0, retried.output
    assert "Cleared: 1 now applied" in retried.output
    assert [e.view for e in projections.quarantined()] == (
        [] if database_url.startswith("sqlite") else ["audit"]
    )
    projections.retry()
    assert projections.quarantined() == []
    nothing = runner.invoke(cli, ["projections", "retry"], terminal_width=200)
    assert (nothing.exit_code, nothing.output.strip()) == (
        0,
        "No quarantined events: nothing to retry.",
    )
    stored = POISON if database_url.startswith("sqlite") else "Officer\ufffdsafety"
    assert titles(projections) == sorted(["Officer safety refresher", stored])
    retried_digests = projections.digests()
    projections.rebuild()
    assert projections.digests() == retried_digests  # retry gave what a rebuild gives
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        health = client.get("/health").json()
        assert (health["status"], health["quarantined"], health["quarantine"]) == ("ok", 0, [])
    get_settings.cache_clear()


def test_a_rebuild_quarantines_the_poison_event_instead_of_failing(
    planner: TrainingPlanner,
    projections: Projections,
    fault: Any,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group_id = a_group(planner)
    poison = poison_need(planner, group_id)
    an_endorsed_need(planner, group_id)
    head = int(planner.recorder.max_notification_id() or 0)

    positions = projections.rebuild()

    assert positions == dict.fromkeys(READ_MODEL_NAMES, head)
    assert {e.position for e in projections.quarantined()} == {poison}
    assert "needs" in {e.view for e in projections.quarantined()}
    assert titles(projections) == ["Officer safety refresher"]
    again = projections.rebuild()  # a second rebuild finds the same, keeps one entry per view
    assert again == positions
    views = [e.view for e in projections.quarantined()]
    assert len(views) == len(set(views))

    monkeypatch.setenv("TRAINPLAN_DATABASE_URL", database_url)
    get_settings.cache_clear()
    rebuilt = CliRunner().invoke(cli, ["projections", "rebuild", "needs"])
    get_settings.cache_clear()
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Quarantined (the rebuild carried on past them)" in rebuilt.output
    assert f"needs: event {poison} (TrainingNeed.Identified v1" in rebuilt.output
