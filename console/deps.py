"""What every console route reads: the ports, a worker to predict with, the coordinator's
client and the clock. Built by console/main.py (the composition root), installed on the app
by console/app.py, read by the routes through ``current()``."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Flask, current_app

from console.reads import default_day as pick_day
from shared.coordinator_client import CoordinatorClient
from shared.metrics import ServiceMetrics
from shared.ports import ObjectStore, Warehouse
from shared.timetable import EASTERN
from worker.service import WorkerDeps


class NoPublishing:
    """The console predicts for an answer, never for a batch: nothing is published."""

    def publish(self, topic, message, attributes=None):
        raise RuntimeError(f"the console does not publish ({topic})")

    publish_many = publish


@dataclass
class ConsoleDeps:
    warehouse: Warehouse
    store: ObjectStore
    worker: WorkerDeps
    coordinator: CoordinatorClient
    today: Callable[[], date] = field(default=lambda: datetime.now(EASTERN).date())   # ET, as the league's
    metrics: ServiceMetrics = field(default_factory=lambda: ServiceMetrics("console"))


EXTENSION = "console"   # the app's ConsoleDeps, under app.extensions


def install(app: Flask, deps: ConsoleDeps) -> None:
    app.extensions[EXTENSION] = deps


def current() -> ConsoleDeps:
    """The dependencies of the app handling the request."""
    deps: ConsoleDeps = current_app.extensions[EXTENSION]
    return deps


def default_day(deps: ConsoleDeps) -> date:
    return pick_day(deps.warehouse, deps.store, deps.today())
