"""JSON-lines logging that Cloud Logging parses: severity, message, component, and every
`extra` field a call passes (batch_id, correlation_id, alert, ...)."""
from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
TRACE, SPAN = "logging.googleapis.com/trace", "logging.googleapis.com/spanId"
# what every record written inside a request or a message's handling carries (batch_id,
# correlation_id, the Cloud Trace ids), so one batch's lines join up in Cloud Logging
_context: contextvars.ContextVar[Mapping] = contextvars.ContextVar("log_context", default=MappingProxyType({}))


class _ContextFilter(logging.Filter):
    """Adds the bound fields to every record the handler writes; a field the call passed in
    `extra` wins."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            record.__dict__.setdefault(key, value)
        return True


@contextlib.contextmanager
def bound(**fields):
    """Records logged inside the block carry ``fields`` (None values are left out)."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def trace_fields(headers, project: str | None) -> dict:
    """Cloud Trace ids from a request (X-Cloud-Trace-Context: TRACE/SPAN;o=1, or W3C traceparent)."""
    found = re.fullmatch(r"([0-9a-f]{32})/(\d+)(;o=\d)?", headers.get("X-Cloud-Trace-Context", "").strip())
    trace, span = (found.group(1), found.group(2)) if found else (None, None)
    if trace is None:
        w3c = re.fullmatch(r"00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}", headers.get("traceparent", "").strip())
        trace, span = (w3c.group(1), w3c.group(2)) if w3c else (None, None)
    if trace is None:
        return {}
    return {TRACE: f"projects/{project}/traces/{trace}" if project else trace, SPAN: span}


def traced(app, project: str | None) -> None:
    """Every record a Flask request writes carries its trace ids."""
    from flask import g, request

    @app.before_request
    def _bind_trace():
        g._log_context = _context.set({**_context.get(), **trace_fields(request.headers, project)})

    @app.teardown_request
    def _unbind_trace(_exc):
        token = g.pop("_log_context", None)
        if token is not None:
            _context.reset(token)


class JsonFormatter(logging.Formatter):
    def __init__(self, component: str):
        super().__init__()
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "component": self.component,
            "logger": record.name,
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def setup_logging(component: str, level: str = "INFO", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(component))
    handler.addFilter(_ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # per-request access lines from the dev server are noise next to our own request logs
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

