"""The embedded default in one process: one warehouse, store and durable bus shared by the
orchestrator, coordinator and worker apps, each served over real HTTP on loopback.

On the embedded default the DuckDB file has one writer, so the services share a process
(`bin/pipeline serve` and `run`); on Google Cloud each runs on its own."""
from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from werkzeug.serving import make_server

from shared import auth, bootstrap
from shared.config import Settings

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Stack:
    settings: Settings
    warehouse: object
    store: object
    bus: object
    token: str | None
    urls: dict = field(default_factory=dict)
    coordinator: object = None
    worker: object = None
    _servers: list = field(default_factory=list)

    def stop(self) -> None:
        self.bus.stop()
        for server in self._servers:
            server.shutdown()
        self.warehouse.close()


def _serve(app, port: int = 0):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True, name=f"http-{server.server_port}").start()
    return server


def local_token(settings: Settings) -> str | None:
    """The configured token, or one generated and kept in PIPELINE_HOME for curl to use."""
    if settings.auth == "off":
        return None
    if settings.auth_token:
        return settings.auth_token
    path = settings.home / "auth_token"
    if not path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def start(settings: Settings, ports: dict | None = None, start_dispatcher: bool = True,
          stall_republish: timedelta = timedelta(minutes=10), bus_options: dict | None = None) -> Stack:
    from functions_framework import create_app as create_function

    from coordinator.app import create_app as create_coordinator
    from coordinator.batches import BatchStore
    from coordinator.service import CoordinatorDeps
    from orchestrator.coordinator_client import CoordinatorClient, static_token
    from orchestrator.service import Orchestrator
    from orchestrator.wiring import configure
    from shared.adapters.local_bus import LocalBus
    from shared.models.registry import Registry
    from worker.app import create_app as create_worker
    from worker.features import FeatureCache
    from worker.models import ModelProvider
    from worker.service import WorkerDeps

    ports = ports or {}
    token = local_token(settings)
    settings = settings.model_copy(update={"auth_token": token})
    check = auth.from_settings(settings, "local stack")
    warehouse = bootstrap.build_warehouse(settings)
    warehouse.ensure_tables()
    store = bootstrap.build_store(settings)
    bus = LocalBus(settings.bus_path, headers={"Authorization": f"Bearer {token}"} if token else None,
                   **(bus_options or {}))
    coord_deps = CoordinatorDeps(warehouse, BatchStore(store), bus, stall_republish=stall_republish,
                                 finalise_lease=timedelta(seconds=settings.finalise_lease_s))
    worker_deps = WorkerDeps(warehouse, bus, FeatureCache(warehouse), ModelProvider(Registry(store)))
    stack = Stack(settings, warehouse, store, bus, token, coordinator=coord_deps, worker=worker_deps)
    for name, app in (("coordinator", create_coordinator(coord_deps, check)), ("worker", create_worker(worker_deps,
                                                                                                        check))):
        server = _serve(app, ports.get(name, 0))
        stack._servers.append(server)
        stack.urls[name] = f"http://127.0.0.1:{server.server_port}"
    configure(Orchestrator(store, CoordinatorClient(stack.urls["coordinator"], static_token(token))),
              has_games=lambda d: not warehouse.read("analytics.schedule", d, d, columns=["game_id"]).empty,
              max_event_age_s=settings.max_event_age_s)
    function = create_function("on_precompute_complete", str(ROOT / "orchestrator" / "main.py"), "cloudevent")
    if check is not None:   # on GCP the function's IAM invoker binding does this
        from flask import request

        function.before_request(lambda: check(request))
    server = _serve(function, ports.get("orchestrator", 0))
    stack._servers.append(server)
    stack.urls["orchestrator"] = f"http://127.0.0.1:{server.server_port}"
    bus.endpoints.update(stack.urls)
    if start_dispatcher:
        bus.start()
    return stack
