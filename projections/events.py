"""Batched reading of the notification log straight from the recorder, decoded to plain dicts.

One call reads up to `limit` notifications after `after` (and up to `upto`, if given) and
returns plain JSON-like rows: values in the eventsourcing JSON transcoder's
{"_type_", "_data_"} form are decoded (a UUID as `str(UUID)`, the same form as an event's
originator id; a datetime as its ISO text). This skips rebuilding domain event objects, which
is what makes a batched rebuild fast: one SELECT through the recorder's own connection, and
orjson's parser on each state (the stored bytes stay the library's own JSON; what orjson
refuses, such as NaN, goes to the standard parser). The typed values sit at the top level of
an event's state, so only those are converted; a state with typed values deeper down takes
the slower full path."""

from __future__ import annotations

import json
from typing import Any

import orjson
from eventsourcing.application import Application
from psycopg.sql import SQL, Identifier

_TYPED = '"_type_"'
_TYPED_BYTES = _TYPED.encode()


def _dashed(hex_: str) -> str:
    """A 32-digit UUID hex as str(UUID) gives it, without building a UUID."""
    h = hex_.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _untype(value: dict[str, Any]) -> Any:
    if len(value) == 2 and "_type_" in value and "_data_" in value:
        if value["_type_"] == "uuid_hex":
            return _dashed(value["_data_"])
        return value["_data_"]
    return value


_DECODER = json.JSONDecoder(object_hook=_untype)


def _plain(value: Any) -> Any:
    """The same decoding for a value already parsed (kept for callers that have one)."""
    if isinstance(value, dict):
        return _untype({k: _plain(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def decode_state(state: Any) -> dict[str, Any]:
    if isinstance(state, bytearray | memoryview):
        state = bytes(state)
    if not isinstance(state, bytes | str):
        plain: dict[str, Any] = _plain(state)
        return plain
    try:
        data: dict[str, Any] = orjson.loads(state)
    except orjson.JSONDecodeError:  # what only the standard parser reads (NaN, huge ints)
        data = json.loads(state)
    typed = 0
    for key, value in data.items():
        if type(value) is dict and "_type_" in value:
            data[key] = _untype(value)
            typed += 1
    if isinstance(state, bytes):
        deeper = state.count(_TYPED_BYTES) != typed
    else:
        deeper = state.count(_TYPED) != typed
    if deeper:  # typed values deeper down: decode every level
        data = _DECODER.decode(state.decode("utf-8") if isinstance(state, bytes) else state)
    return data


def _select(app: Application, after: int, limit: int, upto: int | None) -> list[tuple[Any, ...]]:
    """(id, originator id, version, topic, state) rows, in order, through the recorder's own
    datastore (its connection pool and settings)."""
    recorder: Any = app.recorder
    module = type(recorder).__module__
    table = recorder.events_table_name
    if module.startswith("eventsourcing.postgres"):
        statement = SQL(
            "SELECT notification_id, originator_id::text, originator_version, topic, state "
            "FROM {schema}.{table} WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(schema=Identifier(recorder.datastore.schema), table=Identifier(table))
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (after, upto if upto is not None else 2**62, limit))
            return [
                (r["notification_id"], r["originator_id"], r["originator_version"], r["topic"],
                 r["state"])
                for r in cursor.fetchall()
            ]  # fmt: skip
    if module.startswith("eventsourcing.sqlite"):
        query = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
            "WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(query, (after, upto if upto is not None else 2**62, limit))
            return [(r[0], _dashed(r[1]) if len(r[1]) == 32 else r[1], r[2], r[3], r[4])
                    for r in cursor.fetchall()]  # fmt: skip
    return [
        (n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
        for n in recorder.select_notifications(start=after + 1, limit=limit, stop=upto)
    ]


def read_events(
    app: Application, after: int = 0, limit: int = 10_000, upto: int | None = None
) -> list[dict[str, Any]]:
    """Up to `limit` events with notification id > `after` (and <= `upto`), in order, as plain
    dicts: id, originator_id, version, topic, entity (the aggregate class name), kind (the
    event class name), state."""
    if after < 0:
        raise ValueError("after: must be >= 0")
    if limit < 1:
        raise ValueError("limit: must be >= 1")
    if upto is not None and upto <= after:
        return []
    events = []
    names: dict[str, tuple[str, str]] = {}
    for position, originator_id, version, topic, state in _select(app, after, limit, upto):
        name = names.get(topic)
        if name is None:
            path = topic.rsplit(":", 1)[-1]
            entity, _, kind = path.rpartition(".")
            name = names[topic] = (entity or path, kind)
        events.append(
            {
                "id": position,
                "originator_id": originator_id,
                "version": version,
                "topic": topic,
                "entity": name[0],
                "kind": name[1],
                "state": decode_state(state),
            }
        )
    return events
