"""Decode a Pub/Sub CloudEvent into a ProcessorCompleted, or say why it cannot be."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared import bodies
from shared.errors import PermanentError
from shared.messages import MessageError, ProcessorCompleted, parse
from shared.pubsub import decode_data


def decode(data) -> ProcessorCompleted:
    """Accepts Eventarc's ``{"message": {...}}`` and the framework's converted raw push
    ``{"data": ..., "attributes": ...}``."""
    if isinstance(data, (bytes, str)):
        try:
            data = bodies.load(data, "event data")
        except bodies.BodyError as exc:
            raise PermanentError(str(exc)) from None
    if not isinstance(data, dict):
        raise PermanentError(f"event data must be an object, got {type(data).__name__}")
    payload = decode_data(data.get("message", data))
    try:
        return parse(ProcessorCompleted, payload)
    except MessageError as exc:
        raise PermanentError(str(exc)) from None


def too_old(event_time: str | None, now: datetime, max_age_s: int) -> bool:
    if not event_time:
        return False
    try:
        when = datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return now - when > timedelta(seconds=max_age_s)
