"""Pub/Sub push-envelope parsing and the ack contract.

Return 204 to ack (success, duplicate, or a permanent error logged at ERROR); return 500
only for transient errors so Pub/Sub retries. Never 4xx: Pub/Sub redelivers those forever.
"""
from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.exceptions import RequestEntityTooLarge

from shared import bodies
from shared.errors import PermanentError, TransientError
from shared.logging import bound
from shared.messages import Message, MessageError, parse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushMessage:
    message: Message
    message_id: str
    attributes: dict
    subscription: str
    delivery_attempt: int | None


def read_body(request) -> bytes | None:
    """The raw push body, or None when it is over the app's size limit (poison, not a 413:
    Pub/Sub would redeliver a refused push until it dead-letters)."""
    try:
        return request.get_data()
    except RequestEntityTooLarge:
        return None


def decode_envelope(body: bytes | str | dict | None) -> tuple[dict, dict]:
    """Return (payload dict, envelope message dict) or raise PermanentError."""
    if body is None:
        raise PermanentError(f"push body exceeds the limit of {bodies.MAX_BYTES:,} bytes")
    if isinstance(body, (bytes, str)):
        try:
            body = bodies.load(body, "push body")
        except bodies.BodyError as exc:
            raise PermanentError(str(exc)) from None
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise PermanentError("push body has no 'message' object")
    envelope = body["message"]
    return decode_data(envelope), {**envelope, "subscription": body.get("subscription", "")}


def decode_data(message: dict) -> dict:
    """The JSON payload inside a Pub/Sub message's base64 ``data`` field."""
    raw = message.get("data") if isinstance(message, dict) else None
    if not isinstance(raw, str):
        raise PermanentError("field 'message.data' is missing or not a base64 string")
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PermanentError(f"field 'message.data' is not base64: {exc}") from None
    try:
        return bodies.load(decoded, "field 'message.data'")
    except bodies.BodyError as exc:
        raise PermanentError(str(exc)) from None


def parse_push(body: bytes | str | dict | None, model: type[Message]) -> PushMessage:
    payload, envelope = decode_envelope(body)
    try:
        message = parse(model, payload)
    except MessageError as exc:
        raise PermanentError(str(exc)) from None
    return PushMessage(
        message=message,
        message_id=str(envelope.get("messageId") or envelope.get("message_id") or ""),
        attributes=dict(envelope.get("attributes") or {}),
        subscription=str(envelope.get("subscription", "")),
        delivery_attempt=envelope.get("deliveryAttempt"),
    )


def handle_push(body: bytes | None, model: type[Message], handler: Callable[[PushMessage], object],
                count: Callable[[str], None] = lambda outcome: None) -> int:
    """Parse, run the handler, and map the outcome to the push status code; ``count`` is
    told the outcome (ok, poison, permanent, transient) for the service's metrics."""
    try:
        push = parse_push(body, model)
    except PermanentError as exc:
        log.error("push message dropped: %s", exc, extra={"outcome": "poison"})
        count("poison")
        return 204
    message = push.message
    with bound(correlation_id=message.correlation_id, batch_id=getattr(message, "batch_id", None),
               game_date=str(getattr(message, "game_date", "")) or None, message_id=push.message_id):
        try:
            handler(push)
        except PermanentError as exc:
            log.error("permanent failure, acked: %s", exc, extra={"outcome": "permanent"})
            count("permanent")
            return 204
        except TransientError as exc:
            # the one record of a retried failure: WARNING, since redelivery is expected to mend it
            log.warning("transient failure, will be redelivered: %s", exc, exc_info=exc.__cause__ or exc,
                        extra={"outcome": "transient"})
            count("transient")
            return 500
    count("ok")
    return 204


def encode_envelope(data: bytes, attributes: dict, message_id: str, publish_time: str,
                    subscription: str, delivery_attempt: int | None = None) -> dict:
    """The JSON body Pub/Sub POSTs to a push endpoint."""
    message = {
        "data": base64.b64encode(data).decode(),
        "attributes": attributes,
        "messageId": message_id,
        "message_id": message_id,
        "publishTime": publish_time,
        "publish_time": publish_time,
    }
    body: dict[str, object] = {"message": message, "subscription": subscription}
    if delivery_attempt is not None:
        body["deliveryAttempt"] = delivery_attempt
    return body
