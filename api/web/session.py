"""Signing in to the pages: the same bearer tokens as the API, kept in a signed session cookie.

`POST /login` with a known token sets `trainplan_session`: HttpOnly, SameSite=Strict, signed
with HMAC-SHA-256. The cookie holds no token: only the SHA-256 of the token (so a token removed
from the configuration ends its sessions at once), a random CSRF secret, and when it expires.
The signing key is derived from every configured token (and the seal key when set), so that
every worker of a server signs alike without another setting, and changing the tokens ends
every session.

Every form carries the session's CSRF secret in a hidden field `csrf`; a POST whose field does
not match is refused. The sign-in form itself, before there is a session, carries the secret of
a short-lived SameSite=Strict cookie (double submit)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from api.http.auth import RIGHTS, Principal, Role

COOKIE = "trainplan_session"
LOGIN_COOKIE = "trainplan_login"
MAX_AGE = 8 * 3600
LOGIN_MAX_AGE = 1800


def token_digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def signing_key(tokens: dict[str, Principal], seal_key: bytes | None = None) -> bytes:
    """A key no one without the tokens can compute, the same in every worker."""
    material = hashlib.sha256(b"trainplan web session v1\0")
    for token in sorted(tokens):
        material.update(token.encode() + b"\0")
    if seal_key:
        material.update(seal_key)
    return material.digest()


def sign(key: bytes, payload: dict[str, Any]) -> str:
    data = base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True).encode()).decode()
    mac = hmac.new(key, data.encode(), hashlib.sha256).hexdigest()
    return f"{data}.{mac}"


def unsign(key: bytes, value: str | None) -> dict[str, Any] | None:
    """The payload of a value `sign` made with this key, else None (altered, foreign, junk)."""
    if not value or "." not in value:
        return None
    data, _, mac = value.rpartition(".")
    expected = hmac.new(key, data.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, mac):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(data.encode()))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


@dataclass(frozen=True)
class WebUser:
    """The signed-in principal and the CSRF secret its forms carry."""

    principal: Principal
    csrf: str

    @property
    def name(self) -> str:
        return self.principal.name

    @property
    def role(self) -> Role:
        return self.principal.role

    def may(self, action: str) -> bool:
        """Whether the role may do `action` (a key of api.http.auth.RIGHTS)."""
        return self.principal.role in RIGHTS[action]

    @property
    def is_auditor(self) -> bool:
        return self.principal.role is Role.AUDITOR


def new_session(token: str) -> dict[str, Any]:
    return {
        "t": token_digest(token),
        "csrf": secrets.token_urlsafe(24),
        "exp": int(time.time()) + MAX_AGE,
    }


def user_of(
    key: bytes, tokens: dict[str, Principal], cookie: str | None, *, now: float | None = None
) -> WebUser | None:
    """The user a session cookie names, if it is ours, unexpired and its token still known."""
    payload = unsign(key, cookie)
    if payload is None or int(payload.get("exp", 0)) < (now or time.time()):
        return None
    digest = str(payload.get("t", ""))
    for token, principal in tokens.items():
        if hmac.compare_digest(token_digest(token), digest):
            return WebUser(principal, str(payload.get("csrf", "")))
    return None


def principal_for(tokens: dict[str, Principal], token: str) -> Principal | None:
    token = token.strip()
    if not token:
        return None
    for known, principal in tokens.items():
        if secrets.compare_digest(known.encode(), token.encode()):
            return principal
    return None


def same_secret(expected: str, given: object) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected, given)
