"""JSON-lines logging that Cloud Logging parses: severity, message, component, trace."""
from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import datetime, timezone

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
trace: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace", default=None)

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, component: str):
        super().__init__()
        self.component = component

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "component": self.component,
            "logger": record.name,
        }
        cid = correlation_id.get()
        if cid:
            entry["correlation_id"] = cid
        tr = trace.get()
        if tr:
            entry["logging.googleapis.com/trace"] = tr
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def setup_logging(component: str, level: str = "INFO", stream=None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(component))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # per-request access lines from the dev server are noise next to our own request logs
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def trace_from_header(header: str | None, project: str | None) -> str | None:
    """``X-Cloud-Trace-Context: TRACE_ID/SPAN;o=1`` -> ``projects/P/traces/TRACE_ID``."""
    if not header or not project:
        return None
    trace_id = header.split("/", 1)[0]
    return f"projects/{project}/traces/{trace_id}" if trace_id else None
