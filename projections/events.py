"""Batched reading of the notification log straight from the recorder, decoded to plain dicts.

One call reads up to `limit` notifications after `after` (and up to `upto`, if given) and
returns plain JSON-like rows: values in the eventsourcing JSON transcoder's
{"_type_", "_data_"} form are decoded as they are parsed (a UUID as `str(UUID)`, the same form
as an event's originator id; a datetime as its ISO text). This skips rebuilding domain event
objects, which is what makes a batched rebuild fast."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.application import Application


def _untype(value: dict[str, Any]) -> Any:
    if len(value) == 2 and "_type_" in value and "_data_" in value:
        if value["_type_"] == "uuid_hex":
            return str(UUID(value["_data_"]))
        return value["_data_"]
    return value


def _plain(value: Any) -> Any:
    """The same decoding for a value already parsed (kept for callers that have one)."""
    if isinstance(value, dict):
        return _untype({k: _plain(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def decode_state(state: Any) -> dict[str, Any]:
    if isinstance(state, bytes | bytearray | memoryview):
        state = bytes(state).decode("utf-8")
    if isinstance(state, str):
        return json.loads(state, object_hook=_untype)
    return _plain(state)


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
    rows = app.recorder.select_notifications(start=after + 1, limit=limit, stop=upto)
    events = []
    for n in rows:
        topic = n.topic
        path = topic.rsplit(":", 1)[-1]
        entity, _, kind = path.rpartition(".")
        events.append(
            {
                "id": n.id,
                "originator_id": str(n.originator_id),
                "version": n.originator_version,
                "topic": topic,
                "entity": entity or path,
                "kind": kind,
                "state": decode_state(n.state),
            }
        )
    return events
