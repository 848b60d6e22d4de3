import io
import json
import uuid
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from domain import TrainingPlanner, store_env
from projections.transfer import ImportRefused, export_events, import_events
from tests.conftest import IN_CI, PG_HOST, PG_PORT, PG_USER, _admin_connection, empty_postgres
from tests.factories import a_cycle, a_facility, a_group, an_endorsed_need


@pytest.fixture(scope="session")
def second_postgres_url():
    """A second fresh PostgreSQL database for this session (an import target), dropped after."""
    try:
        admin = _admin_connection()
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    name = f"trainplan_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _admin_connection() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _fresh_store(engine, request, tmp_path):
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'imported.db'}"
    else:
        url = request.getfixturevalue("second_postgres_url")
        empty_postgres(url)
    app = TrainingPlanner(env=store_env(url))
    request.addfinalizer(app.close)
    return app


def _engine(url):
    return "sqlite" if url.startswith("sqlite") else "postgresql"


@pytest.fixture
def target(database_url, request, tmp_path):
    """An empty store on the same engine as `planner`."""
    return _fresh_store(_engine(database_url), request, tmp_path)


@pytest.fixture
def other_engine_target(database_url, request, tmp_path):
    """An empty store on the other engine: SQLite -> PostgreSQL, PostgreSQL -> SQLite."""
    engine = "postgresql" if _engine(database_url) == "sqlite" else "sqlite"
    return _fresh_store(engine, request, tmp_path)


def _history(planner):
    group = a_group(planner)
    planner.set_allowance(
        group, hours_per_head=14.5, reason="Board minute 7 £ café", actor="tp.chair"
    )
    need = an_endorsed_need(planner, group)
    facility = a_facility(planner)
    cycle = a_cycle(planner)
    return {"group": group, "need": need, "facility": facility, "cycle": cycle}


def _exported(app, **kwargs):
    out = io.StringIO()
    count = export_events(app, out, **kwargs)
    return count, out.getvalue()


def _stored(app):
    return list(app.recorder.select_notifications(start=1, limit=10_000))


def test_an_export_lists_every_event_in_order_with_type_entity_actor_reason_time_and_a_readable_payload(
    planner,
):
    ids = _history(planner)
    count, text = _exported(planner)
    lines = [json.loads(line) for line in text.splitlines()]
    stored = _stored(planner)
    assert count == len(lines) == len(stored) == 8
    assert text.isascii()
    assert [line["position"] for line in lines] == [n.id for n in stored]
    assert [list(line) for line in lines] == [
        [
            "position",
            "entity_id",
            "entity_kind",
            "type",
            "version",
            "actor",
            "reason",
            "time",
            "payload",
            "topic",
            "state",
        ]
    ] * count

    registered, allowance, identified, *_ = lines
    assert registered["entity_id"] == str(ids["group"])
    assert (registered["entity_kind"], registered["type"], registered["version"]) == (
        "BusinessGroup",
        "Registered",
        1,
    )
    assert registered["actor"] == "lspu.analyst"
    assert registered["reason"] is None
    assert datetime.fromisoformat(registered["time"]).tzinfo is not None
    assert registered["payload"] == {
        "effective_on": registered["time"][:10],  # not given: the day it was recorded (UTC)
        "name": "Territorial Policing",
        "code": "TP",
        "officers": 21449,
        "staff": 5757,
    }
    assert allowance["reason"] == "Board minute 7 £ café"
    assert allowance["payload"]["hours_per_head"] == 14.5
    assert identified["entity_kind"] == "TrainingNeed"
    assert identified["payload"]["group_id"] == str(ids["group"])
    prioritised = next(line for line in lines if line["type"] == "Prioritised")
    assert prioritised["topic"] == "domain.needs:TrainingNeed.Prioritised"
    assert prioritised["reason"] == "Legal duty under HSWA"
    assert prioritised["payload"] == {
        "effective_on": prioritised["time"][:10],
        "level": "Mandated",
        "score": 95,
    }
    assert [line["state"].encode() for line in lines] == [n.state for n in stored]

    assert _exported(planner, batch=3) == (count, text)


def test_an_empty_store_exports_nothing_and_an_empty_file_imports_nothing(planner, target):
    assert _exported(planner) == (0, "")
    assert import_events(target, []) == 0
    assert _stored(target) == []


def test_an_export_imported_into_an_empty_store_gives_byte_identical_events_and_the_same_aggregates(
    planner, target, tmp_path: Path
):
    ids = _history(planner)
    path = tmp_path / "history.jsonl"
    with path.open("w", encoding="utf-8") as out:
        count = export_events(planner, out, batch=3)
    with path.open(encoding="utf-8") as lines:
        assert import_events(target, lines) == count

    assert _stored(target) == _stored(planner)
    assert [n.id for n in _stored(target)] == list(range(1, count + 1))
    for aggregate_id in ids.values():
        assert target.repository.get(aggregate_id) == planner.repository.get(aggregate_id)
    assert _exported(target) == _exported(planner)


def test_an_export_imports_into_the_other_engine_byte_for_byte(planner, other_engine_target):
    ids = _history(planner)
    count, text = _exported(planner)
    assert import_events(other_engine_target, iter(text.splitlines())) == count
    assert _stored(other_engine_target) == _stored(planner)
    for aggregate_id in ids.values():
        assert other_engine_target.repository.get(aggregate_id) == planner.repository.get(
            aggregate_id
        )


def test_importing_into_a_store_that_already_has_events_is_refused_and_changes_nothing(planner):
    _history(planner)
    _, text = _exported(planner)
    before = _stored(planner)
    with pytest.raises(ImportRefused, match="already holds 8 events"):
        import_events(planner, text.splitlines())
    assert _stored(planner) == before


def _edit(text, number, change):
    """The file with line `number` (1-based) changed by `change(dict) -> dict | str`."""
    lines = text.splitlines()
    edited = change(json.loads(lines[number - 1]))
    lines[number - 1] = edited if isinstance(edited, str) else json.dumps(edited)
    return lines


def _without(field):
    return lambda line: {k: v for k, v in line.items() if k != field}


def _with(**fields):
    return lambda line: {**line, **fields}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda line: json.dumps(line)[:-5], None, "not valid JSON"),
        (lambda line: "[1, 2]", None, "not a JSON object"),
        (_without("state"), "state", "missing"),
        (_without("actor"), "actor", "missing"),
        (_with(position=1), "position", "positions must rise strictly"),
        (_with(version=5), "version", "expected 2"),
        (_with(entity_id="not-a-uuid"), "entity_id", "not a UUID"),
        (_with(state="{broken"), "state", "not the library's JSON"),
    ],
    ids=[
        "truncated json",
        "not an object",
        "missing state",
        "missing actor",
        "position out of order",
        "version skipped",
        "bad entity id",
        "broken state",
    ],
)
def test_a_file_with_a_broken_line_is_refused_naming_the_line_and_field_and_changes_nothing(
    planner, target, change, field, message
):
    _history(planner)
    _, text = _exported(planner)
    with pytest.raises(ImportRefused, match=message) as refused:
        import_events(target, _edit(text, 4, change))
    assert refused.value.line == 4
    assert refused.value.field == field
    assert str(refused.value).startswith("line 4")
    assert _stored(target) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda line: {**line, "payload": {**line["payload"], "score": 99}}, "payload.score"),
        (lambda line: {**line, "payload": {**line["payload"], "extra": 1}}, "payload.extra"),
        (_with(actor="someone.else"), "actor"),
        (_with(reason="Because I said so"), "reason"),
        (_with(time="2003-04-01T00:00:00+00:00"), "time"),
        (_with(type="Endorsed"), "type"),
    ],
    ids=["payload value", "payload key added", "actor", "reason", "time", "type"],
)
def test_an_edited_readable_field_is_refused_naming_it_and_changes_nothing(
    planner, target, change, field
):
    _history(planner)
    _, text = _exported(planner)
    prioritised = next(
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if json.loads(line)["type"] == "Prioritised"
    )
    with pytest.raises(ImportRefused, match="does not match the stored state") as refused:
        import_events(target, _edit(text, prioritised, change))
    assert (refused.value.line, refused.value.field) == (prioritised, field)
    assert _stored(target) == []
