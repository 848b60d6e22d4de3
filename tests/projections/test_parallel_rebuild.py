"""A rebuild split over several processes (`projections.parallel`) gives exactly the rows of a
rebuild in one process, swaps them in only when complete, and still quarantines an event a
read model cannot apply (it then starts again in one process, batch by batch)."""

from __future__ import annotations

import pytest

from domain import TrainingNeed, TrainingPlanner, store_env
from projections import READ_MODEL_NAMES, open_projections, runner
from projections.parallel import COST, groups, processes_for
from tests.conftest import empty_postgres
from tests.factories import a_group, an_endorsed_need
from tests.projections.history import script


def test_read_models_are_split_into_groups_of_about_equal_work() -> None:
    split = groups(READ_MODEL_NAMES, 2)

    assert sorted(name for group in split for name in group) == sorted(READ_MODEL_NAMES)
    loads = [sum(COST.get(name, 1.0) for name in group) for group in split]
    assert max(loads) - min(loads) <= max(COST.values())
    assert groups(["needs"], 2) == [["needs"]]


def test_a_small_store_is_rebuilt_in_one_process_unless_asked_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRAINPLAN_REBUILD_PROCESSES", raising=False)
    assert processes_for(7, None, 1_000) == 1
    assert processes_for(7, 2, 1_000) == 2
    assert processes_for(1, 4, 10_000_000) == 1
    monkeypatch.setenv("TRAINPLAN_REBUILD_PROCESSES", "3")
    assert processes_for(7, None, 1_000) == 3


def test_a_rebuild_in_two_processes_gives_the_rows_of_a_rebuild_in_one(
    planner: TrainingPlanner, database_url: str
) -> None:
    script(planner)
    head = int(planner.recorder.max_notification_id() or 0)
    projections = open_projections(database_url)
    try:
        projections.rebuild(processes=1)
        alone = projections.digests()

        positions = projections.rebuild(processes=2)

        assert positions == dict.fromkeys(READ_MODEL_NAMES, head)
        assert projections.digests() == alone
        assert sorted(n for r in projections.last_rebuild for n in r.names) == sorted(
            READ_MODEL_NAMES
        )
        assert all(r.position == head for r in projections.last_rebuild)
        assert projections.quarantined() == []
    finally:
        projections.close()


@pytest.mark.postgres
def test_a_parallel_rebuild_quarantines_an_event_the_database_refuses(
    postgres_session_url: str,
) -> None:
    """PostgreSQL cannot store a NUL in a text column: the process filling the needs register
    fails on it for real, and the rebuild starts again in one process, quarantining it."""
    empty_postgres(postgres_session_url)
    planner = TrainingPlanner(env=store_env(postgres_session_url))
    projections = open_projections(postgres_session_url)
    try:
        group_id = a_group(planner)
        poison = TrainingNeed(
            group_id=group_id, title="Officer\x00safety", trigger="new law", description="",
            actor="x",
        )  # fmt: skip
        planner.save(poison)  # bypassing the commands' text rules, as an old event would
        position = int(planner.recorder.max_notification_id() or 0)
        an_endorsed_need(planner, group_id)
        head = int(planner.recorder.max_notification_id() or 0)

        positions = projections.rebuild(processes=2)

        assert positions == dict.fromkeys(READ_MODEL_NAMES, head)
        assert projections.last_rebuild == []  # the serial attempt that quarantined it
        held = projections.quarantined()
        assert {entry.position for entry in held} == {position}
        assert "needs" in {entry.view for entry in held}
        rows, _ = projections.query("needs")
        assert [row["title"] for row in rows] == ["Officer safety refresher"]
    finally:
        projections.close()
        planner.close()


def test_a_rebuild_that_writes_and_forgets_its_documents_as_it_goes_gives_the_same_rows(
    planner: TrainingPlanner, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    script(planner)
    head = int(planner.recorder.max_notification_id() or 0)
    projections = open_projections(database_url)
    try:
        projections.rebuild(processes=1)
        kept = projections.digests()
        monkeypatch.setattr(runner, "SPILL_DOCS", 3)  # memory bounded to a few documents

        positions = projections.rebuild(processes=1, batch=4)

        assert positions == dict.fromkeys(READ_MODEL_NAMES, head)
        assert projections.digests() == kept
    finally:
        projections.close()
