"""Every HTTP service answers JSON, also for what Flask refuses itself (404, 405, 413, 415)
and for a crash, whose body never carries internal text (the log record has it, with the
request's trace id)."""
from __future__ import annotations

import json
import logging

from flask import Flask
from werkzeug.exceptions import HTTPException, InternalServerError

from shared import bodies

log = logging.getLogger(__name__)


def install(app: Flask, max_bytes: int = bodies.MAX_BYTES) -> None:
    app.config["MAX_CONTENT_LENGTH"] = max_bytes
    answer_in_json(app)


def answer_in_json(app: Flask, crash_headers: dict[str, str] | None = None) -> None:
    """The JSON answers without the size limit, for an app whose oversized bodies are someone
    else's to refuse (the orchestrator acks them as poison). ``crash_headers`` go on a 500."""
    crashed = {"error": "internal error; the service's log has the details"}, InternalServerError.code, \
        crash_headers or {}

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        response = exc.get_response()     # keeps headers such as 405's Allow
        response.set_data(json.dumps({"error": f"{exc.code} {exc.name}"}))
        response.content_type = "application/json"
        return response

    @app.errorhandler(Exception)   # Flask picks the HTTPException handler above for those
    def _crash(exc: Exception):
        log.exception("unhandled error in %s", app.name)
        return crashed

    # a handler already registered for 500 (functions-framework's answers with the error's text)
    # would win over the one above for an explicit abort(500)
    app.register_error_handler(InternalServerError, lambda exc: crashed)
