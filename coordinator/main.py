"""Entry point for gunicorn on Cloud Run: gunicorn 'coordinator.main:build_app()'."""
from __future__ import annotations

from datetime import timedelta

from coordinator.app import create_app
from coordinator.batches import BatchStore
from coordinator.service import CoordinatorDeps
from shared import auth, bootstrap
from shared.config import Settings
from shared.logging import setup_logging


def build_app(settings: Settings | None = None):
    s = settings or Settings.from_env()
    setup_logging("coordinator", s.log_level)
    deps = CoordinatorDeps(bootstrap.build_warehouse(s), BatchStore(bootstrap.build_store(s)),
                           bootstrap.build_publisher(s), finalise_lease=timedelta(seconds=s.finalise_lease_s))
    return create_app(deps, auth.from_settings(s, "coordinator"))
