"""Queries over the read models (projections), with filtering and paging."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import get_principal

router = APIRouter(prefix="/api/v1", tags=["read models"], dependencies=[Depends(get_principal)])
