"""The coordinator/worker path without HTTP, for predicting whole seasons: publishing a
slate of requests runs the worker on all of it at once, and prediction-ready goes straight
to the coordinator. Same batch state, markers, staging and consolidation as the services."""
from __future__ import annotations

import uuid
from typing import Iterable, Mapping

from pydantic import BaseModel

from shared import topology


class InlineBus:
    def __init__(self):
        self.coordinator = None   # coordinator.service.CoordinatorDeps
        self.worker = None        # worker.service.WorkerDeps
        self.completed: list = []

    def publish(self, topic: str, message: BaseModel, attributes: Mapping[str, str] | None = None) -> str:
        return self.publish_many(topic, [message], attributes)[0]

    def publish_many(self, topic: str, messages: Iterable[BaseModel],
                     attributes: Mapping[str, str] | None = None) -> list[str]:
        from coordinator.service import complete
        from worker.service import handle_many

        messages = list(messages)
        if topic == topology.PREDICTION_REQUEST:
            handle_many(self.worker, messages)
        elif topic == topology.PREDICTION_READY:
            for m in messages:
                complete(self.coordinator, m)
        elif topic == topology.PREDICTIONS_COMPLETE:
            self.completed.extend(messages)
        return [uuid.uuid4().hex for _ in messages]
