"""One APIRouter per resource, all under /api/v1."""

from __future__ import annotations

from fastapi import Response

from api.deps import etag
from api.schemas.common import Written


def written(response: Response, aggregate_id: object, version: int) -> Written:
    """The answer to a write: the id and new version, the version also as the ETag."""
    response.headers["ETag"] = etag(version)
    return Written(id=aggregate_id, version=version)  # type: ignore[arg-type]


def created(response: Response, location: str, aggregate_id: object) -> Written:
    response.headers["Location"] = location
    return written(response, aggregate_id, 1)
