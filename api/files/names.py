"""People's names for what the read models key by id: a business group's code for its id, a
facility found by its name (or name and site), a group's code checked to exist. Shared by the
CLI, the HTTP API and the web pages."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any
from uuid import UUID

from api.files.prospectus import Queryable, every_row
from domain import InvalidValue


def group_codes(projections: Queryable) -> dict[str, str]:
    """Each business group's code by its id."""
    return {str(row["group_id"]): row["code"] for row in every_row(projections, "group_time")}


def with_group_codes(
    rows: list[dict[str, Any]],
    codes: dict[str, str],
    key: str = "owning_group_id",
    into: str = "owning_group_code",
) -> list[dict[str, Any]]:
    """The rows with the group's code beside its id (None for a central facility)."""
    return [{**row, into: codes.get(str(row.get(key))) if row.get(key) else None} for row in rows]


def group_id_for(projections: Queryable, code: str, field: str = "group") -> str:
    """The id of the business group with this code (any case), or InvalidValue naming the
    codes there are."""
    codes = group_codes(projections)
    for group_id, known in codes.items():
        if known.lower() == code.strip().lower():
            return group_id
    raise InvalidValue(
        field,
        f"no business group has the code {code!r}; the codes are "
        f"{', '.join(sorted(codes.values())) or 'none yet'}",
    )


def find_facility(projections: Queryable, text: str, field: str = "FACILITY") -> dict[str, Any]:
    """The facility a person names: its id, its name (when only one facility has it), or
    `NAME, SITE`; any case. InvalidValue says what was found instead."""
    wanted = " ".join(text.split()).lower()
    rows = every_row(projections, "facilities")
    try:
        key = str(UUID(text.strip()))
    except ValueError:
        key = None
    if key is not None:
        found = [r for r in rows if r["id"] == key]
    else:
        found = [r for r in rows if r["name"].lower() == wanted] or [
            r for r in rows if f"{r['name']}, {r['site']}".lower() == wanted
        ]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        sites = "; ".join(f"'{r['name']}, {r['site']}'" for r in found)
        raise InvalidValue(
            field, f"{len(found)} facilities are called {text!r}: name one of {sites}"
        )
    names = [r["name"] for r in rows]
    close = get_close_matches(text, names, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(n) for n in close)}?" if close else ""
    raise InvalidValue(
        field, f"no facility is called {text!r}{hint} (`trainplan facilities list` lists them)"
    )
