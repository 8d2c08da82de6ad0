"""The checks every service's /health/deep shares: one line per check, degraded on failure, the
details only in the log (the body never carries internal text)."""
from __future__ import annotations

import logging

from shared import tables
from shared.ports import Warehouse

log = logging.getLogger(__name__)


def unavailable(what: str, exc: Exception) -> str:
    log.warning("deep health: %s", what, exc_info=exc)
    return f"{type(exc).__name__} (details in the service's log)"


def warehouse_check(warehouse: Warehouse) -> tuple[str, bool]:
    """("ok", False) when the warehouse answers a count; else the error's kind and True (degraded)."""
    try:
        warehouse.count(tables.ML_FEATURE_STORE.fqn)
        return "ok", False
    except Exception as exc:
        return unavailable("warehouse unreachable", exc), True
