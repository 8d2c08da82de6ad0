"""The composition root for one machine: the three services and the console wired to one
warehouse, store and bus. ``start`` serves them over real HTTP on loopback with the durable local bus
(`bin/pipeline serve` and `run`); ``inline`` joins the worker and coordinator with an
in-process bus and no HTTP (`predict-range`).

On the embedded default the DuckDB file has one writer, so the services share a process;
on Google Cloud each runs on its own from its main.py."""
from __future__ import annotations

import errno
import logging
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import cast

from flask import request
from functions_framework import create_app as create_function
from pydantic import BaseModel
from werkzeug.serving import make_server

import console.main
import coordinator.main
import orchestrator.main
import worker.main
from bin import warehouse_reader
from bin.local_token import local_token
from console.app import create_app as create_console
from coordinator.app import create_app as create_coordinator
from coordinator.batches import STALL_AFTER
from coordinator.service import CoordinatorDeps, complete
from shared import auth, bootstrap, topology
from shared.adapters.inline_bus import InlineBus
from shared.adapters.local_bus import LocalBus
from shared.config import Settings
from shared.coordinator_client import CoordinatorClient, static_token
from shared.messages import PredictionReady, PredictionRequest
from shared.ports import ObjectStore, Warehouse
from worker.app import create_app as create_worker
from worker.service import WorkerDeps, handle_many

log = logging.getLogger(__name__)
ORCHESTRATOR_SOURCE = Path(orchestrator.main.__file__)
# what `start` listens for, in port order: `serve --port P` gives them P, P+1, ...
SERVICES = ("coordinator", "worker", "orchestrator", "reader", "console")


class PortInUse(OSError):
    def __init__(self, name: str, port: int):
        super().__init__(errno.EADDRINUSE, f"port {port} ({name}) is in use")
        self.name, self.port = name, port


@dataclass
class Stack:
    settings: Settings
    warehouse: Warehouse
    store: ObjectStore
    bus: LocalBus
    token: str | None
    coordinator: CoordinatorDeps
    worker: WorkerDeps
    orchestrator: orchestrator.main.OrchestratorDeps | None = None
    console: console.main.ConsoleDeps | None = None
    urls: dict = field(default_factory=dict)
    _servers: list = field(default_factory=list)

    def stop(self) -> None:
        self.bus.stop()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        close = getattr(self.warehouse, "close", None)   # the embedded warehouse's file lock; not on the port
        if close is not None:
            close()


def bind_loopback(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as Werkzeug's own servers do
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve_loopback(app, port: int = 0, sock: socket.socket | None = None):
    """Serve ``app`` on 127.0.0.1 from a thread, on ``sock`` when the port is already bound."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    sock = sock or bind_loopback(port)
    with sock:   # the server keeps its own duplicate of the descriptor
        bound: int = sock.getsockname()[1]
        server = make_server("127.0.0.1", bound, app, threaded=True, fd=sock.fileno())
    # what HTTPServer.server_bind records, which a server handed a bound socket never calls
    server.server_name, server.server_port = "127.0.0.1", bound
    threading.Thread(target=server.serve_forever, daemon=True, name=f"http-{server.server_port}").start()
    return server


def _bind_all(ports: dict) -> dict[str, socket.socket]:
    """Every service's port bound before anything starts: a busy one is named and nothing
    is left half started (Werkzeug would print its own message and exit mid-way)."""
    bound: dict[str, socket.socket] = {}
    try:
        for name in SERVICES:
            try:
                bound[name] = bind_loopback(ports.get(name, 0))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise PortInUse(name, ports.get(name, 0)) from exc
                raise
    except OSError:
        for sock in bound.values():
            sock.close()
        raise
    return bound


def start(settings: Settings, ports: dict | None = None, start_dispatcher: bool = True,
          stall_republish: timedelta = STALL_AFTER, bus_options: dict | None = None) -> Stack:
    """The services on 127.0.0.1: ``ports`` maps a name of SERVICES to its port (0 or absent:
    any free one). Raises PortInUse, naming the service, before anything starts."""
    sockets = _bind_all(ports or {})
    try:
        return _start(settings, sockets, start_dispatcher, stall_republish, bus_options)
    finally:
        for sock in sockets.values():   # each server holds its own copy; these were only reserving the ports
            sock.close()


def _start(settings: Settings, sockets: dict, start_dispatcher: bool, stall_republish: timedelta,
           bus_options: dict | None) -> Stack:
    token = local_token(settings)
    settings = settings.model_copy(update={"auth_token": token})
    check = auth.from_settings(settings, "local stack")
    warehouse = bootstrap.build_warehouse(settings)
    warehouse.ensure_tables()
    store = bootstrap.build_store(settings)
    bus = LocalBus(settings.bus_path, headers={"Authorization": f"Bearer {token}"} if token else None,
                   **(bus_options or {}))
    stack = Stack(settings, warehouse, store, bus, token,
                  coordinator.main.build_deps(settings, warehouse, store, bus, stall_republish=stall_republish),
                  worker.main.build_deps(settings, warehouse, store, bus))
    scraper = auth.scraper_from_settings(settings)
    for name, app in (("coordinator", create_coordinator(stack.coordinator, check, scraper=scraper)),
                      ("worker", create_worker(stack.worker, check, scraper=scraper))):
        _listen(stack, name, app, sockets)
    function = create_function("on_precompute_complete", str(ORCHESTRATOR_SOURCE), "cloudevent")
    stack.orchestrator = orchestrator.main.build_deps(
        settings, store, CoordinatorClient(stack.urls["coordinator"], static_token(token)),
        warehouse=lambda: warehouse)
    orchestrator.main.attach(function, stack.orchestrator)
    if check is not None:   # on GCP the function's IAM invoker binding does this, before anything else
        function.before_request_funcs.setdefault(None, []).insert(0, lambda: check(request))
    _listen(stack, "orchestrator", function, sockets)
    _listen(stack, "reader", warehouse_reader.create_app(warehouse, check), sockets)
    stack.console = console.main.build_deps(settings, warehouse, store, worker=stack.worker,
                                            coordinator=CoordinatorClient(stack.urls["coordinator"],
                                                                          static_token(token)))
    _listen(stack, "console", create_console(stack.console, console.main.access_from_settings(settings, token)),
            sockets)
    bus.endpoints.update(stack.urls)
    if start_dispatcher:
        bus.start()
    return stack


def _listen(stack: Stack, name: str, app, sockets: dict[str, socket.socket]) -> None:
    server = serve_loopback(app, sock=sockets[name])
    stack._servers.append(server)
    stack.urls[name] = f"http://127.0.0.1:{server.server_port}"


@dataclass
class Inline:
    bus: InlineBus
    coordinator: CoordinatorDeps
    worker: WorkerDeps

    @property
    def completed(self) -> list:
        return self.bus.published[topology.PREDICTIONS_COMPLETE]


def inline(settings: Settings, warehouse: Warehouse, store: ObjectStore) -> Inline:
    """Worker and coordinator joined in-process: publishing a slate of requests runs the
    worker on all of it at once, and prediction-ready goes straight to the coordinator."""
    bus = InlineBus()
    chain = Inline(bus, coordinator.main.build_deps(settings, warehouse, store, bus),
                   worker.main.build_deps(settings, warehouse, store, bus, feature_dates=2))

    # one message model per topic: the coordinator publishes PredictionRequest, the worker PredictionReady
    def requests(messages: list[BaseModel]) -> None:
        handle_many(chain.worker, cast(list[PredictionRequest], messages))

    def ready(messages: list[BaseModel]) -> None:
        for m in messages:
            complete(chain.coordinator, cast(PredictionReady, m))

    bus.handlers[topology.PREDICTION_REQUEST] = requests
    bus.handlers[topology.PREDICTION_READY] = ready
    return chain
