"""How the application appends: one round trip per save on PostgreSQL (domain/postgres_store.py)
with the library's ordering and concurrency guarantees, the first events `require` keeps, and
the connection budget every PostgreSQL pool is sized by (domain/store.py)."""

import threading
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from pydantic import ValidationError

from api.settings import Settings, share_pool_budget
from domain import (
    BusinessGroup,
    Facility,
    NotFound,
    TrainingNeed,
    TrainingPlanner,
    VersionConflict,
    store_env,
)
from domain.store import pool_budget
from tests.conftest import empty_postgres
from tests.factories import a_facility, a_group


@pytest.fixture
def empty_pg(postgres_session_url: str) -> None:
    empty_postgres(postgres_session_url)


def library_env(url: str) -> dict[str, str]:
    """The store's environment with the library's own recorder, as before issue 14."""
    env = store_env(url)
    del env["APPLICATION_RECORDER_TOPIC"]
    return env


def connect(url: str) -> psycopg.Connection:
    env = store_env(url)
    return psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        dbname=env["POSTGRES_DBNAME"],
        autocommit=True,
    )


@pytest.mark.postgres
def test_a_store_written_by_the_library_recorder_loads_and_grows_with_the_one_trip_recorder(
    postgres_session_url: str, empty_pg: None
):
    url = postgres_session_url
    before = TrainingPlanner(env=library_env(url))
    try:
        assert type(before.recorder).__name__ == "PostgresApplicationRecorder"
        group_id = a_group(before)
        old_need = before.identify_need(
            group_id=group_id, title="First aid", trigger="incident", actor="p"
        )
    finally:
        before.close()
    after = TrainingPlanner(env=store_env(url))
    try:
        assert type(after.recorder).__name__ == "OneTripRecorder"
        assert after.load(TrainingNeed, old_need).title == "First aid"
        new_need = after.identify_need(
            group_id=group_id, title="Public order", trigger="incident", actor="p"
        )
        ids = [n.id for n in after.recorder.select_notifications(start=1, limit=10)]
        assert ids == [1, 2, 3]
    finally:
        after.close()
    again = TrainingPlanner(env=library_env(url))
    try:  # and back: the library's recorder reads what the one-trip recorder wrote
        assert again.load(TrainingNeed, new_need).title == "Public order"
    finally:
        again.close()


@pytest.mark.postgres
@pytest.mark.parametrize("needs", [3, 40])  # scalar parameters; lists beyond SCALARS_UP_TO
def test_one_save_of_many_events_is_atomic_and_numbered_in_order(
    postgres_session_url: str, empty_pg: None, needs: int
):
    planner = TrainingPlanner(env=store_env(postgres_session_url))
    try:
        group_id = a_group(planner)
        drafted = [
            TrainingNeed.identify(
                group_id=group_id,
                title=f"Need {n}",
                trigger="incident",
                description="",
                actor="p",
                effective_on=None,
            )
            for n in range(needs)
        ]
        planner.store(*drafted)
        notifications = planner.recorder.select_notifications(start=2, limit=needs + 1)
        assert [n.id for n in notifications] == list(range(2, needs + 2))
        assert [n.originator_id for n in notifications] == [need.id for need in drafted]
        # a save that collides with a stored version saves none of its events
        twice = TrainingNeed.identify(
            group_id=group_id,
            title="Again",
            trigger="incident",
            description="",
            actor="p",
            effective_on=None,
        )
        clash = planner.load(TrainingNeed, drafted[-1].id)
        clash.withdraw(reason="Duplicate", actor="chair")
        stale = planner.load(TrainingNeed, drafted[-1].id)
        stale.withdraw(reason="Other", actor="chair")
        planner.store(clash)
        with pytest.raises(VersionConflict):
            planner.store(twice, stale)
        assert not planner.exists(twice.id)
        # and the connection saves again after the refusal
        after = planner.identify_need(
            group_id=group_id, title="After", trigger="incident", actor="p"
        )
        assert planner.load(TrainingNeed, after).title == "After"
    finally:
        planner.close()


@pytest.mark.postgres
def test_a_save_waits_for_the_events_table_lock_so_commit_order_is_position_order(
    postgres_session_url: str, empty_pg: None
):
    planner = TrainingPlanner(env=store_env(postgres_session_url))
    saved = threading.Event()
    try:
        group_id = a_group(planner)
        table = f"{planner.name.lower()}_events"
        with connect(postgres_session_url) as holder:
            holder.execute("BEGIN")
            # as another writer mid-transaction holds it: ROW EXCLUSIVE lets a plain INSERT
            # through, and stops the EXCLUSIVE lock a save takes before drawing positions
            holder.execute(f'LOCK TABLE "{table}" IN ROW EXCLUSIVE MODE')

            def save() -> None:
                planner.identify_need(group_id=group_id, title="x", trigger="incident", actor="p")
                saved.set()

            writer = threading.Thread(target=save)
            writer.start()
            assert not saved.wait(0.5), "the save went past another writer's table lock"
            holder.execute("COMMIT")
            writer.join(10)
        assert saved.is_set()
    finally:
        planner.close()


def test_require_keeps_what_a_first_event_says_and_still_refuses_the_wrong_kind(
    database_url: str,
):
    planner = TrainingPlanner(env=store_env(database_url))
    try:
        group_id = a_group(planner)
        facility_id = a_facility(planner)
        registered = planner.require(BusinessGroup, group_id)
        assert planner.require(BusinessGroup, group_id) == registered
        with pytest.raises(NotFound):
            planner.require(Facility, group_id)
        with pytest.raises(NotFound):
            planner.require(BusinessGroup, facility_id)
        missing = uuid4()
        with pytest.raises(NotFound):
            planner.require(BusinessGroup, missing)
        assert missing not in planner._first_events  # looked for again next time
    finally:
        planner.close()


@pytest.mark.postgres
def test_every_postgres_pool_is_sized_by_the_connection_budget(
    monkeypatch: pytest.MonkeyPatch, postgres_session_url: str
):
    monkeypatch.setenv("TRAINPLAN_DB_POOL_SIZE", "2")
    monkeypatch.setenv("TRAINPLAN_DB_POOL_OVERFLOW", "0")
    env = store_env(postgres_session_url)
    assert (env["POSTGRES_POOL_SIZE"], env["POSTGRES_MAX_OVERFLOW"]) == ("2", "0")
    planner = TrainingPlanner(env=env)
    try:
        pool = planner.recorder.datastore.pool  # type: ignore[attr-defined]
        assert (pool.min_size, pool.max_size) == (2, 2)
    finally:
        planner.close()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TRAINPLAN_DB_POOL_SIZE", "0"),
        ("TRAINPLAN_DB_POOL_SIZE", "many"),
        ("TRAINPLAN_DB_POOL_OVERFLOW", "-1"),
        ("TRAINPLAN_DB_POOL_OVERFLOW", "51"),
    ],
)
def test_a_pool_setting_out_of_range_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        pool_budget()


def test_a_pool_budget_from_a_dotenv_file_reaches_the_stores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    for variable in ("TRAINPLAN_DB_POOL_SIZE", "TRAINPLAN_DB_POOL_OVERFLOW"):
        monkeypatch.setenv(variable, "1")  # so that the test's end restores the environment
        monkeypatch.delenv(variable)
    dotenv = tmp_path / ".env"
    dotenv.write_text("TRAINPLAN_DB_POOL_SIZE=3\nTRAINPLAN_DB_POOL_OVERFLOW=4\n")
    settings = Settings(_env_file=dotenv)  # type: ignore[call-arg]
    share_pool_budget(settings)
    assert pool_budget() == (3, 4)
    with pytest.raises(ValidationError, match="db_pool_size"):
        Settings(db_pool_size=0)
