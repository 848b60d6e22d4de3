"""One router per page (or family of pages)."""

from __future__ import annotations

from fastapi import APIRouter

from api.web.pages import home, signin

ROUTERS: tuple[APIRouter, ...] = (signin.router, home.router)
