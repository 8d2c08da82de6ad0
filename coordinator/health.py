"""What the coordinator's /health/deep checks: the warehouse answers, and every feed the night
reads is fresh (shared/freshness.py says what stale and failing mean). Degraded is still 200,
as on the worker: the service itself is up, and the body says what is wrong."""
from __future__ import annotations

import logging

from coordinator.service import CoordinatorDeps
from shared import freshness, tables

log = logging.getLogger(__name__)


def deep_health(deps: CoordinatorDeps) -> tuple[dict, int]:
    checks: dict = {}
    degraded = False
    try:
        deps.warehouse.count(tables.ML_FEATURE_STORE.fqn)
        checks["warehouse"] = "ok"
    except Exception as exc:
        log.warning("deep health: warehouse unreachable", exc_info=exc)
        checks["warehouse"] = f"{type(exc).__name__} (details in the service's log)"
        degraded = True
    now = deps.clock()
    try:
        feeds = freshness.read_all(deps.batches.store)
        checks["feeds"] = {status.feed: status.health(now) for status in feeds}
        degraded |= any(status.degraded(now) for status in feeds)
    except Exception as exc:
        log.warning("deep health: feed freshness unreadable", exc_info=exc)
        checks["feeds"] = f"{type(exc).__name__} (details in the service's log)"
        degraded = True
    return {"status": "degraded" if degraded else "ok", "checks": checks}, 200
