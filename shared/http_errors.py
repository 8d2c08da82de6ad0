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

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        response = exc.get_response()     # keeps headers such as 405's Allow
        response.set_data(json.dumps({"error": f"{exc.code} {exc.name}"}))
        response.content_type = "application/json"
        return response

    @app.errorhandler(Exception)   # Flask picks the HTTPException handler above for those
    def _crash(exc: Exception):
        log.exception("unhandled error in %s", app.name)
        return {"error": "internal error; the service's log has the details"}, InternalServerError.code
