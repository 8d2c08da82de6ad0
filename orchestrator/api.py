"""The orchestrator function's OpenAPI description. functions-framework routes every path
to the one function, so it is published by `bin/pipeline openapi orchestrator` rather than
served."""
from __future__ import annotations

from shared import openapi
from shared.messages import ProcessorCompleted

CLOUD_EVENT_HEADERS = [{"name": name, "in": "header", "required": True, "schema": {"type": "string"}}
                       for name in ("ce-id", "ce-specversion", "ce-type", "ce-source")] + [
    {"name": "ce-time", "in": "header", "schema": {"type": "string", "format": "date-time"},
     "description": "events older than ORCHESTRATOR_MAX_EVENT_AGE_S are dropped with a WARNING"}]

SPEC = openapi.document("orchestrator", "Collects the processors' completion events per game date and calls the "
                        "coordinator's /start exactly once when all five have finished.", {
    "/": {"post": {
        "summary": "a precompute-complete event (Pub/Sub message as a binary-mode CloudEvent)",
        "security": [{"bearer": []}],
        "parameters": CLOUD_EVENT_HEADERS,
        "requestBody": {"required": True, "content": {"application/json": {"schema": openapi.PUSH_ENVELOPE}}},
        "responses": {
            "200": {"description": "acked: recorded, a duplicate, stale, or poison (logged, not retried)"},
            "400": openapi.json_response("not a CloudEvent; `field` names the missing or invalid header. "
                                         "Pub/Sub retries, then dead-letters", openapi.ERROR),
            "405": openapi.json_response("a method other than POST", openapi.ERROR),
            "500": openapi.json_response("a transient failure (state store, coordinator): redelivered with "
                                         "backoff", openapi.ERROR)},
        "x-message-schema": ProcessorCompleted.model_json_schema()}},
})
