"""Entry point for gunicorn on Cloud Run: gunicorn 'worker.main:build_app()'."""
from __future__ import annotations

from shared import auth, bootstrap
from shared.config import Settings
from shared.logging import setup_logging
from shared.models.registry import Registry
from worker.app import create_app
from worker.features import FeatureCache
from worker.models import ModelProvider
from worker.service import WorkerDeps


def build_app(settings: Settings | None = None):
    s = settings or Settings.from_env()
    setup_logging("worker", s.log_level)
    warehouse = bootstrap.build_warehouse(s)
    store = bootstrap.build_store(s)
    deps = WorkerDeps(warehouse, bootstrap.build_publisher(s), FeatureCache(warehouse),
                      ModelProvider(Registry(store)))
    return create_app(deps, auth.from_settings(s, "worker"))
