"""The worker's composition root. Cloud Run: gunicorn 'worker.main:build_app()'.
``build_deps`` is the one factory for its dependencies: the local stack, the CLI, tests
and benchmarks call it too, handing in an adapter where they have their own."""
from __future__ import annotations

from shared import auth, bootstrap
from shared.config import Settings
from shared.logging import setup_logging
from shared.models.registry import Registry
from shared.ports import ObjectStore, Publisher, Warehouse
from worker.app import create_app
from worker.batch_gate import BatchGate
from worker.features import FeatureCache
from worker.model_provider import ModelProvider
from worker.service import WorkerDeps
from worker.staging import StagingWriter


def build_deps(settings: Settings, warehouse: Warehouse | None = None, store: ObjectStore | None = None,
               publisher: Publisher | None = None, feature_dates: int = 4) -> WorkerDeps:
    """``feature_dates``: how many dates of feature rows one instance keeps in memory."""
    warehouse = warehouse or bootstrap.build_warehouse(settings)
    store = store or bootstrap.build_store(settings)
    return WorkerDeps(warehouse, publisher or bootstrap.build_publisher(settings),
                      FeatureCache(warehouse, max_dates=feature_dates), ModelProvider(Registry(store)),
                      StagingWriter(store), BatchGate(store), call_margin=settings.call_margin)


def build_app(settings: Settings | None = None):
    s = settings or Settings.from_env()
    setup_logging("worker", s.log_level)
    return create_app(build_deps(s), auth.from_settings(s, "worker"), s.gcp_project,
                      auth.scraper_from_settings(s))
