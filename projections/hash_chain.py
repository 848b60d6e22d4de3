"""The hashes that seal the history: one per stored event over its exact stored values, and a
chain over them in notification order (sha256, or HMAC-SHA256 with the auditors' key)."""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Callable
from typing import Any
from uuid import UUID

GENESIS = bytes(32)
_TAG = b"trainplan.event_seals/v1\x00"
_LENGTHS = struct.Struct(">5q")

Chain = Callable[[bytes, bytes], bytes]


def _bytes(value: Any) -> bytes | None:
    """A stored value as the bytes that are hashed: text as UTF-8, integers in decimal,
    PostgreSQL's uuid in its text form, NULL as None."""
    if value is None or type(value) is bytes:
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "backslashreplace")
    return "" if value is None else str(value)


def event_hash(
    notification_id: int, originator_id: Any, originator_version: Any, topic: Any, state: Any
) -> bytes:
    """sha256 of the canonical encoding of one stored event: a tag, the five lengths (8 bytes
    each, big-endian, -1 for NULL), then the five values (notification id and version in
    decimal, originator id and topic as UTF-8 text, state as its raw bytes)."""
    if (
        type(notification_id) is int
        and type(originator_id) in (str, UUID)
        and type(originator_version) is int
        and type(topic) is str
        and type(state) is bytes
    ):  # the usual row: no per-field calls
        n, o, v, t = (
            b"%d" % notification_id,
            str(originator_id).encode(),
            b"%d" % originator_version,
            topic.encode(),
        )
        lengths = _LENGTHS.pack(len(n), len(o), len(v), len(t), len(state))
        return hashlib.sha256(b"".join((_TAG, lengths, n, o, v, t, state))).digest()
    fields = [_bytes(f) for f in (notification_id, originator_id, originator_version, topic, state)]
    lengths = _LENGTHS.pack(*(-1 if f is None else len(f) for f in fields))
    return hashlib.sha256(b"".join((_TAG, lengths, *(f or b"" for f in fields)))).digest()


def chain_function(key: bytes | None = None) -> Chain:
    """(previous chain hash, event hash) -> chain hash: sha256, or HMAC-SHA256 with `key`."""
    if key is None:
        return lambda previous, event: hashlib.sha256(previous + event).digest()
    if not isinstance(key, bytes) or not key:
        raise ValueError("key: must be non-empty bytes")
    return lambda previous, event: hmac.digest(key, previous + event, "sha256")


def recomputes(chain: Chain, previous: bytes, event_hex: Any, chain_hex: Any) -> bool:
    try:
        return chain(previous, bytes.fromhex(event_hex)).hex() == chain_hex
    except (TypeError, ValueError):
        return False


def from_hex(value: Any) -> bytes:
    try:
        return bytes.fromhex(value)
    except (TypeError, ValueError):
        return GENESIS
