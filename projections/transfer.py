"""Export and import of the whole event history as JSON Lines.

One line per stored event, in notification order. The first fields are for people:
`position` (notification id), `entity_id`, `entity_kind`, `type`, `version`, `actor`, `reason`,
`time` and `payload` (the event's own fields, decoded to plain JSON), then `topic` and `state`
(the exact JSON text the library stored). An import writes `entity_id`, `version`, `topic` and
`state`, so the imported store holds the same stored events byte for byte. The other fields are
derived from `topic` and `state`; an import recomputes them and refuses a line where they
differ, so an edit to the readable part can never pass unnoticed (nor be silently ignored).

The file is plain ASCII (non-ASCII characters are written as JSON escapes), so whatever
encoding it is opened with, it reads back to the same text.

An import is for an EMPTY store that nobody else writes to meanwhile. It reads the file once,
checks every line and keeps the checked events in a temporary spool; only when the whole file
has passed does it write, in batches of `IMPORT_BATCH` per transaction through the recorder.
A refused file therefore changes nothing. Positions must rise strictly; a gap in them (a
PostgreSQL sequence skips a number when an insert is rolled back) is allowed, and the imported
events are then numbered consecutively in the same order."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable
from typing import Any, TextIO
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

FIELDS = (
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
)
# Derived from topic and state: checked on import, never written.
READABLE = ("entity_kind", "type", "actor", "reason", "time", "payload")
NOT_PAYLOAD = frozenset({"timestamp", "originator_topic", "actor", "reason"})
IMPORT_BATCH = 5_000
_SPOOL_IN_MEMORY = 16 * 1024 * 1024
_TOPIC = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


class ImportRefused(ValueError):
    """The file or the store does not allow an import; nothing was written. `line` (1-based)
    and `field` name the place at fault when there is one."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        where = ""
        if line is not None:
            where = f"line {line}"
            if field is not None:
                where += f", field {field!r}"
            where += ": "
        super().__init__(where + message)
        self.line = line
        self.field = field


class ImportInterrupted(RuntimeError):
    """Someone else wrote to the store while an import was writing: the store now holds part
    of the file and other events, and is not an exact copy."""


# --- the readable view of one stored event ----------------------------------------------------


def _decoded(value: Any) -> Any:
    """The library's JSON with its {"_type_", "_data_"} wrappers taken off; UUIDs as
    canonical strings (the same form as `entity_id`)."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            if value["_type_"] == "uuid_hex" and isinstance(value["_data_"], str):
                try:
                    return str(UUID(value["_data_"]))
                except ValueError:
                    return value["_data_"]
            return _decoded(value["_data_"])
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


def _record(
    position: int, entity_id: str, version: int, topic: str, state_text: str
) -> dict[str, Any]:
    """The line for one stored event. Raises ValueError if the state is not a JSON object."""
    state = json.loads(state_text)
    if not isinstance(state, dict):
        raise ValueError("the state is not a JSON object")
    kind, _, event_type = topic.partition(":")[2].rpartition(".")
    return {
        "position": position,
        "entity_id": entity_id,
        "entity_kind": kind,
        "type": event_type,
        "version": version,
        "actor": _decoded(state.get("actor")),
        "reason": _decoded(state.get("reason")),
        "time": _decoded(state.get("timestamp")),
        "payload": {k: _decoded(v) for k, v in state.items() if k not in NOT_PAYLOAD},
        "topic": topic,
        "state": state_text,
    }


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# --- export -----------------------------------------------------------------------------------


def export_events(app: Application, out: TextIO, *, batch: int = 5000) -> int:
    """Writes every stored event of `app`, in notification order, one JSON object per line,
    to `out`; reads `batch` notifications at a time. Returns the number of events written.
    Events recorded after the export starts are left out (the export is a consistent prefix)."""
    if batch < 1:
        raise ValueError("batch: must be >= 1")
    recorder = app.recorder
    last = recorder.max_notification_id() or 0
    count = 0
    start = 1
    while start <= last:
        rows = recorder.select_notifications(start=start, limit=batch, stop=last)
        if not rows:
            break
        lines = []
        for n in rows:
            try:
                state_text = bytes(n.state).decode("utf-8")
                record = _record(
                    n.id, str(n.originator_id), n.originator_version, n.topic, state_text
                )
            except ValueError as error:  # UnicodeDecodeError and JSONDecodeError included
                raise ValueError(
                    f"position {n.id}: the stored state is not the library's plain JSON "
                    f"({error}); an export needs a store without a compressor or cipher"
                ) from None
            lines.append(json.dumps(record))
        out.write("\n".join(lines) + "\n")
        count += len(rows)
        start = rows[-1].id + 1
    return count


# --- import -----------------------------------------------------------------------------------


def _stored_count(app: Application) -> int:
    recorder = app.recorder
    last = recorder.max_notification_id() or 0
    count = 0
    start = 1
    while start <= last:
        rows = recorder.select_notifications(start=start, limit=10_000, stop=last)
        if not rows:
            break
        count += len(rows)
        start = rows[-1].id + 1
    return count


def _refuse_unless_empty(app: Application) -> None:
    if app.recorder.max_notification_id():
        count = _stored_count(app)
        raise ImportRefused(
            f"the store already holds {count} event{'s' if count != 1 else ''}; "
            "an import needs an empty store"
        )


def _first_difference(line_value: Any, state_value: Any, name: str) -> str:
    """The dotted name of the first place where two JSON values differ."""
    if isinstance(line_value, dict) and isinstance(state_value, dict):
        for key in sorted(set(line_value) | set(state_value), key=str):
            if key not in line_value or key not in state_value:
                return f"{name}.{key}"
            if _canonical(line_value[key]) != _canonical(state_value[key]):
                return _first_difference(line_value[key], state_value[key], f"{name}.{key}")
    return name


class _Checker:
    """Checks the lines of a file one by one, remembering what the order rules need."""

    def __init__(self, text_ids: bool):
        self.text_ids = text_ids
        self.position = 0
        self.versions: dict[str, int] = {}

    def check(self, number: int, text: str) -> tuple[str, int, str, str]:
        """(entity_id, version, topic, state) of a valid line; ImportRefused otherwise."""
        try:
            line = json.loads(text)
        except ValueError as error:
            raise ImportRefused(f"not valid JSON ({error})", line=number) from None
        if not isinstance(line, dict):
            raise ImportRefused("not a JSON object", line=number)
        missing = [name for name in FIELDS if name not in line]
        if missing:
            raise ImportRefused(
                f"missing (a line needs {', '.join(FIELDS)})", line=number, field=missing[0]
            )

        position = line["position"]
        if not _is_count(position):
            raise ImportRefused(
                f"must be a whole number >= 1, not {position!r}", line=number, field="position"
            )
        if position <= self.position:
            raise ImportRefused(
                f"{position} comes after {self.position}: positions must rise strictly",
                line=number,
                field="position",
            )

        entity_id = line["entity_id"]
        if not isinstance(entity_id, str) or not entity_id:
            raise ImportRefused("must be a non-empty string", line=number, field="entity_id")
        if not self.text_ids:
            try:
                entity_id = str(UUID(entity_id))
            except ValueError:
                raise ImportRefused(
                    f"{entity_id!r} is not a UUID", line=number, field="entity_id"
                ) from None

        version = line["version"]
        if not _is_count(version):
            raise ImportRefused(
                f"must be a whole number >= 1, not {version!r}", line=number, field="version"
            )
        expected = self.versions.get(entity_id, 0) + 1
        if version != expected:
            raise ImportRefused(
                f"{version} for entity {entity_id}, expected {expected} "
                "(each entity's versions run 1, 2, 3, ... in file order)",
                line=number,
                field="version",
            )

        topic = line["topic"]
        if not isinstance(topic, str) or not _TOPIC.fullmatch(topic):
            raise ImportRefused(
                f"{topic!r} is not an event topic (module:Class.Event)",
                line=number,
                field="topic",
            )

        state = line["state"]
        if not isinstance(state, str):
            raise ImportRefused("must be the stored JSON text", line=number, field="state")
        try:
            state.encode("utf-8")
            record = _record(position, entity_id, version, topic, state)
        except ValueError as error:
            raise ImportRefused(
                f"not the library's JSON object ({error})", line=number, field="state"
            ) from None

        readable = [line[name] for name in READABLE]
        if _canonical(readable) != _canonical([record[name] for name in READABLE]):
            name = next(n for n in READABLE if _canonical(line[n]) != _canonical(record[n]))
            field = _first_difference(line[name], record[name], name)
            raise ImportRefused(
                "does not match the stored state and topic (was the readable part "
                "edited? an import writes only entity_id, version, topic and state)",
                line=number,
                field=field,
            )

        self.position = position
        self.versions[entity_id] = version
        return entity_id, version, topic, state


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def import_events(app: Application, lines: Iterable[str]) -> int:
    """Loads an export into the EMPTY store of `app`: the same stored events (originator ids,
    versions, topics and state bytes) in the same order. Checks the whole file first and
    refuses with ImportRefused (naming the line and the field) before writing anything; reads
    `lines` once, so an open file or a generator will do. Returns the number of events."""
    _refuse_unless_empty(app)
    datastore = getattr(app.recorder, "datastore", None)
    text_ids = getattr(datastore, "originator_id_type", "uuid") == "text"
    checker = _Checker(text_ids)
    count = 0
    with tempfile.SpooledTemporaryFile(
        max_size=_SPOOL_IN_MEMORY, mode="w+", encoding="ascii"
    ) as spool:
        for number, text in enumerate(lines, start=1):
            if number == 1 and isinstance(text, str):
                text = text.removeprefix("\ufeff")
            if not text.strip():
                continue
            spool.write(json.dumps(checker.check(number, text)) + "\n")
            count += 1

        _refuse_unless_empty(app)  # again: the check of a big file takes a while
        spool.seek(0)
        batch: list[StoredEvent] = []
        last_id: int | None = None
        for row in spool:
            entity_id, version, topic, state = json.loads(row)
            batch.append(
                StoredEvent(
                    originator_id=entity_id if text_ids else UUID(entity_id),
                    originator_version=version,
                    topic=topic,
                    state=state.encode("utf-8"),
                )
            )
            if len(batch) >= IMPORT_BATCH:
                last_id = _write(app, batch, last_id)
                batch = []
        if batch:
            _write(app, batch, last_id)
    return count


def _write(app: Application, batch: list[StoredEvent], last_id: int | None) -> int | None:
    """Inserts one batch in one transaction; checks that no other writer got in between."""
    ids = app.recorder.insert_events(batch)
    if not ids:
        return last_id
    first = ids[0] if last_id is None else last_id + 1
    if list(ids) != list(range(first, first + len(batch))):
        raise ImportInterrupted(
            "another writer stored events while the import was writing: the store holds "
            f"part of the file (up to notification id {ids[-1]}) mixed with other events; "
            "empty it and import again with nobody else writing"
        )
    return int(ids[-1])
