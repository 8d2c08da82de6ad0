"""Build the orchestrator's dependencies from settings (one place, at first use)."""
from __future__ import annotations

from datetime import date

from orchestrator.coordinator_client import CoordinatorClient, google_id_token, static_token
from orchestrator.service import Orchestrator
from shared import bootstrap
from shared.config import ConfigError, Settings
from shared.logging import setup_logging


_DEPS: dict = {}


def configure(orchestrator: Orchestrator, has_games=None, max_event_age_s: int = 6 * 3600) -> None:
    """Wire dependencies explicitly (bin/pipeline serve and tests) instead of from settings.
    Kept here, not in main.py, because functions-framework loads main.py as its own module."""
    _DEPS.clear()
    _DEPS.update(orchestrator=orchestrator, has_games=has_games, max_event_age_s=max_event_age_s)


def deps() -> dict:
    if not _DEPS:
        _DEPS.update(from_settings())
    return _DEPS


def from_settings(settings: Settings | None = None) -> dict:
    s = settings or Settings.from_env()
    setup_logging("orchestrator", s.log_level)
    if not s.coordinator_url:
        raise ConfigError("COORDINATOR_URL is required by the orchestrator")
    if s.auth == "off":
        token = static_token(None)
    else:
        token = google_id_token(s.coordinator_url) if s.backend == "gcp" else static_token(s.auth_token)
    orchestrator = Orchestrator(bootstrap.build_store(s), CoordinatorClient(s.coordinator_url, token))

    def has_games(day: date) -> bool:
        warehouse = bootstrap.build_warehouse(s, read_only=True)
        return not warehouse.read("analytics.schedule", day, day, columns=["game_id"]).empty

    return {"orchestrator": orchestrator, "has_games": has_games, "max_event_age_s": s.max_event_age_s}
