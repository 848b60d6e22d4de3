from projections.audit_view import AuditTrailView, views_url_for
from projections.events import read_events
from tests.factories import a_group, an_endorsed_need


def _view(database_url, tmp_path):
    url = views_url_for(database_url)
    return AuditTrailView(url)


def test_the_views_file_sits_beside_the_sqlite_event_store():
    assert views_url_for("sqlite:///x/trainplan.db") == "sqlite:///x/trainplan-views.db"
    assert views_url_for("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"


def test_the_audit_trail_lists_every_event_in_order_with_actor_and_reason(
    planner, database_url, tmp_path
):
    group = a_group(planner)
    an_endorsed_need(planner, group)
    view = _view(database_url, tmp_path)
    try:
        count = len(read_events(planner))
        assert view.catch_up(planner, batch=2) == count
        rows = view.rows()
        assert [r["notification_id"] for r in rows] == list(range(1, count + 1))
        assert rows[0]["entity_kind"] == "BusinessGroup"
        assert rows[0]["entity_id"] == str(group)
        assert rows[0]["actor"] == "lspu.analyst"
        assert any(r["reason"] == "Legal duty under HSWA" for r in rows)
        assert view.position() == count
        assert view.catch_up(planner) == 0
    finally:
        view.close()


def test_a_redelivered_batch_changes_nothing(planner, database_url, tmp_path):
    a_group(planner)
    view = _view(database_url, tmp_path)
    try:
        batch = read_events(planner)
        assert view.apply(batch) == len(batch)
        before = view.rows()
        assert view.apply(batch) == 0
        assert view.rows() == before
        assert view.position() == batch[-1]["id"]
    finally:
        view.close()


def test_a_second_runner_is_refused_until_the_first_releases(database_url, tmp_path):
    import pytest

    from projections.audit_view import RunnerBusy

    first, second = _view(database_url, tmp_path), _view(database_url, tmp_path)
    try:
        first.acquire("runner-1")
        with pytest.raises(RunnerBusy, match="runner-1"):
            second.acquire("runner-2")
        first.release("runner-1")
        second.acquire("runner-2")
        second.release("runner-2")
    finally:
        first.close()
        second.close()


def test_a_rebuild_from_zero_gives_the_same_digest(planner, database_url, tmp_path):
    import sqlalchemy as sa

    from projections.audit_view import audit_trail, tracking

    group = a_group(planner)
    an_endorsed_need(planner, group)
    view = _view(database_url, tmp_path)
    try:
        view.catch_up(planner)
        before = view.digest()
        with view.engine.begin() as c:
            c.execute(sa.delete(audit_trail))
            c.execute(sa.delete(tracking))
        assert view.digest() != before
        view.catch_up(planner, batch=3)
        assert view.digest() == before
    finally:
        view.close()
