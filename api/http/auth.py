"""Bearer tokens to principals, and who may do what.

A token maps to a principal: a `name` (which becomes the `actor` of every event it causes), a
`role`, and for planners and board chairs the business `group` they act for (its code, e.g.
"TP", or its id). The mapping is JSON, `{"<token>": {"name": ..., "role": ..., "group": ...}}`,
read from `TRAINPLAN_TOKENS` (a JSON string) or else `TRAINPLAN_TOKENS_FILE` (a file). With
neither, the server accepts the demo tokens below (and says so in its log): fine for the
embedded demo, never for a real deployment.

Rights: the `RIGHTS` table below is the single source of who may do what (tests walk it;
`api.http.deps` declares one dependency per right). In short: planners
identify and withdraw their group's needs and submit its facilities' schedules; board chairs
prioritise their group's needs and set its allowance; planners (and LSPU) run the optimiser
for the cycle and draft the prospectus from a run; the TMB endorses and rejects, decides on
centres, runs the optimiser, sets budget and weights, and alone publishes; LSPU records analyses,
deliveries and evaluations, registers and changes facilities, proposes and costs centres; the
auditor changes nothing. Every role may read everything. Planners and board chairs act for
their own group only: the application checks that (`acting_for`) on the aggregate it changes."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from uuid import UUID

from api.http.problems import forbidden, unauthorized
from api.settings import Settings
from domain.groups import BusinessGroup

log = logging.getLogger("trainplan.api")


class Role(StrEnum):
    PLANNER = "planner"
    BOARD_CHAIR = "board_chair"
    TMB = "tmb"
    LSPU = "lspu"
    AUDITOR = "auditor"


SCOPED = (Role.PLANNER, Role.BOARD_CHAIR)


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    group: str | None = None
    """A business group's code or id, for planners and board chairs."""

    @property
    def group_id(self) -> UUID | None:
        if self.group is None:
            return None
        try:
            return UUID(self.group)
        except ValueError:
            return BusinessGroup.create_id(self.group)

    @property
    def acting_for(self) -> frozenset[UUID] | None:
        """The business groups this principal may act for; None: any (TMB, LSPU, auditor)."""
        if self.role not in SCOPED:
            return None
        return frozenset() if self.group_id is None else frozenset({self.group_id})

    def require(self, action: str) -> None:
        allowed = RIGHTS[action]
        if self.role not in allowed:
            roles = ", ".join(role.value for role in allowed)
            raise forbidden(f"{self.name} ({self.role.value}) may not {action}; only {roles}")


P, C, T, L = Role.PLANNER, Role.BOARD_CHAIR, Role.TMB, Role.LSPU

RIGHTS: dict[str, tuple[Role, ...]] = {
    "register a business group": (T, L),
    "update a group's headcount": (L,),
    "set a group's training allowance": (C,),
    "set a group's operational capability limit": (C,),
    "assign a board chair": (T,),
    "identify a training need": (P, C),
    "record a performance needs analysis": (L,),
    "prioritise a training need": (C,),
    "endorse a training need": (T,),
    "reject a training need": (T,),
    "withdraw a training need": (P, C, T),
    "record a delivery": (L,),
    "evaluate a training need": (L,),
    "register a facility": (L,),
    "change a facility": (L,),
    "submit a facility's schedule": (P, L),
    "decommission a facility": (L,),
    "propose a delivery centre": (L,),
    "cost a delivery centre": (L,),
    "approve a delivery centre": (T,),
    "reject a delivery centre": (T,),
    "manage a trainer pool": (L,),
    "record a trainer absence": (P, L),
    "open a planning cycle": (T,),
    "change a cycle's budget": (T,),
    "set strategic weights": (T,),
    "run the optimiser": (P, T, L),
    "cancel an optimisation run": (P, T, L),
    "draft the prospectus": (P, T, L),
    "amend a draft session": (T, L),
    "pin a draft session": (T, L),
    "publish the prospectus": (T,),
    "close a planning cycle": (T,),
}

DEMO_TOKENS: dict[str, dict[str, str]] = {
    "demo-planner-tp": {"name": "planner.tp", "role": "planner", "group": "TP"},
    "demo-planner-so": {"name": "planner.so", "role": "planner", "group": "SO"},
    "demo-chair-tp": {"name": "AC Territorial Policing", "role": "board_chair", "group": "TP"},
    "demo-chair-so": {"name": "AC Specialist Operations", "role": "board_chair", "group": "SO"},
    "demo-tmb": {"name": "tmb.chair", "role": "tmb"},
    "demo-lspu": {"name": "lspu.analyst", "role": "lspu"},
    "demo-auditor": {"name": "auditor.hmic", "role": "auditor"},
}
"""The demo token set: `trainplan demo` prints it; `trainplan serve` accepts it when no tokens
are configured."""


def demo_tokens() -> dict[str, dict[str, str]]:
    """A copy of the demo token set (token -> name, role, group) for `trainplan demo` to print."""
    return {token: dict(entry) for token, entry in DEMO_TOKENS.items()}


def parse_tokens(mapping: object, *, source: str) -> dict[str, Principal]:
    if not isinstance(mapping, dict) or not mapping:
        raise ValueError(f"{source}: must be a JSON object mapping tokens to principals")
    principals = {}
    for token, entry in mapping.items():
        if not isinstance(entry, dict) or not str(entry.get("name", "")).strip():
            raise ValueError(f"{source}: token {token[:4]}...: needs a name")
        try:
            role = Role(str(entry.get("role")))
        except ValueError:
            allowed = ", ".join(role.value for role in Role)
            raise ValueError(
                f"{source}: token {token[:4]}...: role must be one of {allowed}"
            ) from None
        group = entry.get("group")
        if role in SCOPED and not group:
            raise ValueError(f"{source}: token {token[:4]}...: a {role.value} needs a group")
        principals[str(token)] = Principal(
            name=str(entry["name"]).strip(),
            role=role,
            group=str(group) if group and role in SCOPED else None,
        )
    return principals


def read_tokens(path: str | Path) -> dict[str, Principal]:
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise ValueError(
            f"TRAINPLAN_TOKENS_FILE: {path} cannot be read ({error.strerror})"
        ) from None
    return parse_tokens(_json(text, str(path)), source=str(path))


def _json(text: str, source: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{source}: must be JSON mapping tokens to principals, e.g. "
            '{"TOKEN": {"name": "tmb.chair", "role": "tmb"}} '
            f"({error.msg} at line {error.lineno} column {error.colno})"
        ) from None


def write_tokens(path: str | Path, tokens: dict[str, dict[str, Any]] | None = None) -> Path:
    """Writes a tokens file (the demo set by default), readable only by its owner."""
    path = Path(path)
    path.write_text(json.dumps(tokens or DEMO_TOKENS, indent=2) + "\n")
    path.chmod(0o600)
    return path


def new_token() -> str:
    return secrets.token_urlsafe(32)


def load_tokens(settings: Settings) -> dict[str, Principal]:
    """The configured bearer tokens; a ValueError naming the setting when they are malformed
    (not JSON, not a mapping, a principal without a name or role) or the file is unreadable."""
    if settings.tokens:
        return parse_tokens(_json(settings.tokens, "TRAINPLAN_TOKENS"), source="TRAINPLAN_TOKENS")
    if settings.tokens_file:
        return read_tokens(settings.tokens_file)
    log.warning(
        "No TRAINPLAN_TOKENS or TRAINPLAN_TOKENS_FILE: accepting the DEMO tokens "
        "(see `trainplan demo`). Configure real tokens for any real deployment."
    )
    return parse_tokens(DEMO_TOKENS, source="demo tokens")


def authenticate(tokens: dict[str, Principal], authorization: str | None) -> Principal:
    if not authorization:
        raise unauthorized("send Authorization: Bearer <token>")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("send Authorization: Bearer <token>")
    for known, principal in tokens.items():
        if secrets.compare_digest(known.encode(), token.strip().encode()):
            return principal
    raise unauthorized("the bearer token is not known")
