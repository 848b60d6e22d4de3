"""The composition root: builds the application (and, as they land, the read models and the
planning service) from the settings. Nothing here runs at import time."""

from __future__ import annotations

from api.settings import Settings, get_settings
from domain import TrainingPlanner, store_env


def open_planner(settings: Settings | None = None) -> TrainingPlanner:
    settings = settings or get_settings()
    return TrainingPlanner(env=store_env(settings.database_url))
