"""One router per page (or family of pages)."""

from __future__ import annotations

from fastapi import APIRouter

from api.web.pages import allowance, audit, facilities, home, needs, prospectus, runs, signin

ROUTERS: tuple[APIRouter, ...] = (
    signin.router,
    home.router,
    prospectus.router,
    facilities.router,
    needs.router,
    allowance.router,
    runs.router,
    audit.router,
)
