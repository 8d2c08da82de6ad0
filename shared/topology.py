"""Topics and push subscriptions, declared once. The local bus and bin/deploy both read
this table, so the embedded default and production deliver the same way."""
from __future__ import annotations

from dataclasses import dataclass, replace

PRECOMPUTE_COMPLETE = "precompute-complete"
PREDICTION_REQUEST = "prediction-request"
PREDICTION_READY = "prediction-ready"
PREDICTIONS_COMPLETE = "predictions-complete"


@dataclass(frozen=True)
class Subscription:
    name: str
    topic: str
    service: str            # which service receives the push: orchestrator, coordinator, worker
    path: str               # HTTP path on that service
    ack_deadline_s: int
    max_delivery_attempts: int
    min_backoff_s: float
    max_backoff_s: float

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.topic}-dead-letter"


TOPICS: tuple[str, ...] = (PRECOMPUTE_COMPLETE, PREDICTION_REQUEST, PREDICTION_READY, PREDICTIONS_COMPLETE)

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("precompute-complete-orchestrator", PRECOMPUTE_COMPLETE, "orchestrator", "/",
                 ack_deadline_s=60, max_delivery_attempts=10, min_backoff_s=10, max_backoff_s=600),
    Subscription("prediction-request-worker", PREDICTION_REQUEST, "worker", "/predict",
                 ack_deadline_s=120, max_delivery_attempts=10, min_backoff_s=10, max_backoff_s=300),
    Subscription("prediction-ready-coordinator", PREDICTION_READY, "coordinator", "/complete",
                 ack_deadline_s=60, max_delivery_attempts=10, min_backoff_s=10, max_backoff_s=300),
)

DEAD_LETTER_TOPICS: tuple[str, ...] = tuple(sorted({s.dead_letter_topic for s in SUBSCRIPTIONS}))
ALL_TOPICS: tuple[str, ...] = TOPICS + DEAD_LETTER_TOPICS


def replicated(copies: int) -> tuple[Subscription, ...]:
    """Every subscription ``copies`` times under distinct names, so each message reaches its
    service that many times: at-least-once delivery at its worst, for fault injection."""
    return tuple(replace(s, name=f"{s.name}-{i}") for s in SUBSCRIPTIONS for i in range(copies))

