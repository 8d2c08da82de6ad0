"""What the function answers when functions-framework refuses a request before our code runs:
JSON naming what is wrong. The framework's own 400 page for a request that is not a CloudEvent
echoes every request header (the caller's bearer token included) and the body; its 405 and
crash pages are HTML."""
from __future__ import annotations

import flask
from werkzeug.exceptions import BadRequest

from shared import http_errors

# binary content mode, as a Pub/Sub push subscription delivers to a Cloud Run function
REQUIRED_HEADERS = ("ce-id", "ce-specversion", "ce-type", "ce-source")
SPEC_VERSIONS = ("1.0", "0.3")
STRUCTURED = "application/cloudevents+json"
CRASH = {"X-Google-Status": "crash"}   # how functions-framework marks a crash for the platform's log


def install(app: flask.Flask) -> None:
    http_errors.answer_in_json(app, crash_headers=CRASH)
    app.register_error_handler(BadRequest, _bad_request)


def _bad_request(exc: BadRequest):
    if flask.request.endpoint != "cloudevent":   # the HTTP function's own 400s are answered by it
        return {"error": f"{exc.code} {exc.name}"}, exc.code
    field, problem = not_a_cloud_event(flask.request.headers)
    return {"error": f"not a CloudEvent: {problem}", "field": field}, exc.code


def not_a_cloud_event(headers) -> tuple[str, str]:
    """The field at fault and why, from the headers' names and the spec version only: nothing
    the caller sent is repeated."""
    if (headers.get("Content-Type") or "").split(";")[0].strip().lower() == STRUCTURED:
        return "<body>", (f"a structured event ({STRUCTURED}) needs the attributes specversion, id, type "
                          "and source")
    missing = [name for name in REQUIRED_HEADERS if not headers.get(name)]
    if missing:
        return missing[0], (f"missing header{'s' if len(missing) > 1 else ''} {', '.join(missing)} (a Pub/Sub "
                            f"push sends them; or send a structured {STRUCTURED} body)")
    if headers.get("ce-specversion") not in SPEC_VERSIONS:
        return "ce-specversion", f"header ce-specversion must be one of {', '.join(SPEC_VERSIONS)}"
    return "<headers>", f"the headers {', '.join(REQUIRED_HEADERS)} do not make a valid event"
