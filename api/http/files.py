"""The read models' lists as files: which representation a client wants (`?format=` or its
`Accept` header), and the file response itself.

Every list answers JSON pages by default, or CSV with `?format=csv` or `Accept: text/csv`; the
prospectus also iCalendar (`ics`, `text/calendar`) and Excel (`xlsx`). A file holds every row
that matches the filters from `offset` on, unless `limit` is given: then at most that many
(a file is not held to the JSON pages' 1,000 rows). `?format=` wins over `Accept`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request, Response

from api.files.exports import CSV_TYPE, ICS_TYPE, XLSX_TYPE

MEDIA = {"csv": CSV_TYPE, "ics": ICS_TYPE, "xlsx": XLSX_TYPE}
ACCEPTED = (("text/csv", "csv"), ("text/calendar", "ics"), (XLSX_TYPE, "xlsx"))


@dataclass(frozen=True)
class Wanted:
    """The representation asked for, and whether the client gave a `limit` (a file without
    one holds every matching row)."""

    format: str = "json"
    limit_given: bool = False

    @property
    def file(self) -> bool:
        return self.format != "json"


def _negotiate(request: Request, asked: str | None, allowed: tuple[str, ...]) -> Wanted:
    chosen = asked
    if chosen is None:
        accept = request.headers.get("accept", "").lower()
        chosen = next((f for media, f in ACCEPTED if media in accept and f in allowed), "json")
    return Wanted(chosen, "limit" in request.query_params)


def list_format(
    request: Request,
    format: Annotated[
        Literal["json", "csv"] | None,
        Query(description="json (pages, the default) or csv (a file of every matching row)"),
    ] = None,
) -> Wanted:
    return _negotiate(request, format, ("json", "csv"))


def prospectus_format(
    request: Request,
    format: Annotated[
        Literal["json", "csv", "ics", "xlsx"] | None,
        Query(
            description="json (pages, the default), or a file of every matching session: csv, "
            "ics (iCalendar) or xlsx (Excel)"
        ),
    ] = None,
) -> Wanted:
    return _negotiate(request, format, ("json", "csv", "ics", "xlsx"))


ListFormat = Annotated[Wanted, Depends(list_format)]
ProspectusFormat = Annotated[Wanted, Depends(prospectus_format)]


def file_response(data: bytes, wanted: Wanted, name: str) -> Response:
    """The file, to be saved as `name.<format>`."""
    return Response(
        data,
        media_type=MEDIA[wanted.format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{wanted.format}"'},
    )


def _file_content(*formats: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "The page as JSON, or a file: "
            + ", ".join(f"{MEDIA[f].split(';')[0]} (`format={f}`)" for f in formats),
            "content": {MEDIA[f].split(";")[0]: {"schema": {"type": "string"}} for f in formats},
        }
    }


AS_CSV = _file_content("csv")
AS_FILES = _file_content("csv", "ics", "xlsx")
