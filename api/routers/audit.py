"""The auditors' view: events with filters, an entity's trail, state as of a time, verify,
export."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import get_principal

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], dependencies=[Depends(get_principal)])
