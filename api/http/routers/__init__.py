"""One APIRouter per resource, all under /api/v1."""

from __future__ import annotations

from uuid import UUID

from fastapi import Response

from api.http.deps import etag
from api.http.schemas.common import Written


def written(response: Response, aggregate_id: UUID, version: int) -> Written:
    """The answer to a write: the id and new version, the version also as the ETag."""
    response.headers["ETag"] = etag(version)
    return Written(id=aggregate_id, version=version)


def created(response: Response, location: str, aggregate_id: UUID) -> Written:
    response.headers["Location"] = location
    return written(response, aggregate_id, 1)
