from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from functions_framework import create_app

from orchestrator.main import OrchestratorDeps, attach
from orchestrator.service import Orchestrator
from shared.adapters.directory_store import DirectoryStore
from shared.catalogue import PROCESSOR_NAMES
from shared.coordinator_client import CoordinatorClient, static_token
from tests.conftest import ROOT
from tests.support.events import DAY, binary_headers, completion, push_body  # noqa: F401  (the package's helpers)

SOURCE = str(ROOT / "orchestrator" / "main.py")


def post_binary(client, message, event_id: str | None = None, time: str | None = None):
    event_id = event_id or uuid.uuid4().hex
    return client.post("/", data=json.dumps(push_body(message, event_id)), headers=binary_headers(event_id, time))


def post_structured(client, message, event_id: str | None = None):
    event_id = event_id or uuid.uuid4().hex
    event = {"specversion": "1.0", "id": event_id, "type": "google.cloud.pubsub.topic.v1.messagePublished",
             "source": "//pubsub.googleapis.com/projects/p/topics/precompute-complete",
             "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"), "datacontenttype":
             "application/json", "data": push_body(message, event_id)}
    return client.post("/", data=json.dumps(event), headers={"Content-Type": "application/cloudevents+json"})


class Wiring:
    """Builds the real function apps and attaches one set of dependencies to all of them."""
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.apps: list = []
        self.deps: OrchestratorDeps | None = None

    def __call__(self, coordinator_url: str, store=None, has_games=lambda d: True,
                 max_event_age_s: int = 3600, deadline=None) -> Orchestrator:
        orch = Orchestrator(store or DirectoryStore(self.tmp_path / "objects"),
                            CoordinatorClient(coordinator_url, static_token("local-token")))
        self.deps = OrchestratorDeps(orch, has_games, max_event_age_s, deadline)
        for app in self.apps:
            attach(app, self.deps)
        return orch

    def app(self, target: str = "on_precompute_complete", signature: str = "cloudevent"):
        app = create_app(target, SOURCE, signature)
        self.apps.append(app)
        if self.deps is not None:
            attach(app, self.deps)
        return app


@pytest.fixture
def wire(tmp_path):
    """Wire the real functions to a store and a coordinator URL; calling it returns the orchestrator."""
    return Wiring(tmp_path)


@pytest.fixture
def app(wire):
    return wire.app()


ALL = PROCESSOR_NAMES
