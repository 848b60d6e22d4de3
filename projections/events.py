"""Batched reading of the notification log straight from the recorder, decoded to plain dicts.

The first piece of the batched catch-up the projections are to use: one call reads up to
`limit` notifications after `after` and returns plain JSON-like rows (UUIDs and datetimes in
the eventsourcing JSON transcoder's {"_type_", "_data_"} form are decoded to strings)."""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.application import Application


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return _plain(value["_data_"])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def read_events(app: Application, after: int = 0, limit: int = 10_000) -> list[dict[str, Any]]:
    """Up to `limit` events with notification id > `after`, in order, as plain dicts:
    id, originator_id, version, topic, kind (the event class name), state."""
    if after < 0:
        raise ValueError("after: must be >= 0")
    if limit < 1:
        raise ValueError("limit: must be >= 1")
    rows = app.recorder.select_notifications(start=after + 1, limit=limit)  # type: ignore[attr-defined]
    events = []
    for n in rows:
        state = n.state
        if isinstance(state, bytes | bytearray | memoryview):
            state = bytes(state).decode("utf-8")
        payload = json.loads(state) if isinstance(state, str) else state
        events.append(
            {
                "id": n.id,
                "originator_id": str(n.originator_id),
                "version": n.originator_version,
                "topic": n.topic,
                "kind": n.topic.rsplit(".", 1)[-1],
                "state": _plain(payload),
            }
        )
    return events
