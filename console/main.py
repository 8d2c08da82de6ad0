"""The console's composition root. Cloud Run: gunicorn 'console.main:build_app()'.
``build_deps`` is the one factory for its dependencies; the local stack hands in its
warehouse, store, worker and coordinator address, since DuckDB has one writer."""
from __future__ import annotations

from console import session
from console.app import create_app
from console.deps import ConsoleDeps, NoPublishing
from shared import auth, bootstrap, coordinator_client
from shared.config import ConfigError, Settings
from shared.coordinator_client import CoordinatorClient
from shared.logging import setup_logging
from shared.ports import ObjectStore, Warehouse
from worker.main import build_deps as worker_deps
from worker.service import WorkerDeps


def build_deps(settings: Settings, warehouse: Warehouse | None = None, store: ObjectStore | None = None,
               worker: WorkerDeps | None = None, coordinator: CoordinatorClient | None = None) -> ConsoleDeps:
    warehouse = warehouse or bootstrap.build_warehouse(settings)
    store = store or bootstrap.build_store(settings)
    if coordinator is None:
        if not settings.coordinator_url:
            raise ConfigError("console: COORDINATOR_URL is required (the actions start batches through it)")
        coordinator = coordinator_client.for_settings(settings)
    return ConsoleDeps(warehouse, store, worker or worker_deps(settings, warehouse, store, NoPublishing()),
                       coordinator)


def access_from_settings(settings: Settings, token: str | None = None) -> session.Access:
    """The service credentials as the other services take them, plus the sign-in form
    (locally, with the same token) or Google IAP (on GCP)."""
    token = token if token is not None else settings.auth_token
    service = auth.from_settings(settings.model_copy(update={"auth_token": token}), "console")
    iap = None
    if settings.backend == "gcp" and settings.auth == "on":
        if not settings.iap_audience:
            raise ConfigError("console: IAP_AUDIENCE is required when PIPELINE_BACKEND=gcp (the console sits "
                              "behind IAP: /projects/NUMBER/locations/REGION/services/console)")
        if not settings.console_secret:
            raise ConfigError("console: PIPELINE_CONSOLE_SECRET is required when PIPELINE_BACKEND=gcp (it signs "
                              "the session cookie on every instance)")
        iap = session.iap_identity(settings.iap_audience, settings.iap_certs_url)
    return session.Access(service, token if settings.backend == "local" and settings.auth == "on" else None, iap,
                          session.session_secret(settings, token), secure_cookie=settings.backend == "gcp",
                          scraper=auth.scraper_from_settings(settings))


def build_app(settings: Settings | None = None):
    s = settings or Settings.from_env()
    setup_logging("console", s.log_level)
    return create_app(build_deps(s), access_from_settings(s), s.gcp_project)

