"""The coordinator's composition root. Cloud Run: gunicorn 'coordinator.main:build_app()'.
``build_deps`` is the one factory for its dependencies: the local stack, the CLI, tests
and benchmarks call it too, handing in an adapter where they have their own."""
from __future__ import annotations

from datetime import timedelta

from coordinator.app import create_app
from coordinator.batches import BatchStore
from coordinator.service import CoordinatorDeps
from shared import auth, bootstrap
from shared.config import Settings
from shared.logging import setup_logging
from shared.ports import ObjectStore, Publisher, Warehouse


def build_deps(settings: Settings, warehouse: Warehouse | None = None, store: ObjectStore | None = None,
               publisher: Publisher | None = None, **options) -> CoordinatorDeps:
    """``options`` are CoordinatorDeps fields (clock, stall deadlines) a caller tunes."""
    return CoordinatorDeps(warehouse or bootstrap.build_warehouse(settings),
                           BatchStore(store or bootstrap.build_store(settings)),
                           publisher or bootstrap.build_publisher(settings),
                           **{"finalise_lease": timedelta(seconds=settings.finalise_lease_s),
                              "owner_check": settings.backend == "local", "call_margin": settings.call_margin,
                              **options})


def build_app(settings: Settings | None = None):
    s = settings or Settings.from_env()
    setup_logging("coordinator", s.log_level)
    return create_app(build_deps(s), auth.from_settings(s, "coordinator"), s.gcp_project,
                      auth.scraper_from_settings(s))
