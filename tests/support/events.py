"""Processor completions as the orchestrator receives them: the message, its Pub/Sub push
body and the CloudEvent headers Eventarc sends."""
from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime

from shared.messages import ProcessorCompleted

DAY = date(2024, 1, 15)


def completion(processor: str, status: str = "success", day: date = DAY, run_id: str | None = None,
               **extra) -> ProcessorCompleted:
    now = datetime.now(UTC)
    return ProcessorCompleted(processor=processor, game_date=day, status=status, rows=10,
                              run_id=run_id or f"run-{processor}", started_at=now, finished_at=now, **extra)


def push_body(message: ProcessorCompleted | bytes, message_id: str | None = None) -> dict:
    data = message if isinstance(message, bytes) else message.model_dump_json().encode()
    return {"message": {"data": base64.b64encode(data).decode(), "messageId": message_id or uuid.uuid4().hex,
                        "attributes": {}, "publishTime": datetime.now(UTC).isoformat()},
            "subscription": "projects/p/subscriptions/precompute-complete-orchestrator"}


def binary_headers(event_id: str, time: str | None = None) -> dict:
    return {"ce-id": event_id, "ce-specversion": "1.0", "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
            "ce-source": "//pubsub.googleapis.com/projects/p/topics/precompute-complete",
            "ce-time": time or datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "Content-Type": "application/json"}
