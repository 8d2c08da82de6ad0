"""What the coordinator's /health/deep checks: the warehouse answers, and every feed the night
reads is fresh (shared/freshness.py says what stale and failing mean). Degraded is still 200,
as on the worker: the service itself is up, and the body says what is wrong."""
from __future__ import annotations

from coordinator.service import CoordinatorDeps
from shared import freshness
from shared.health import unavailable, warehouse_check


def deep_health(deps: CoordinatorDeps) -> tuple[dict, int]:
    checks: dict = {}
    checks["warehouse"], degraded = warehouse_check(deps.warehouse)
    now = deps.clock()
    try:
        feeds = freshness.read_all(deps.batches.store)
        checks["feeds"] = {status.feed: status.health(now) for status in feeds}
        degraded |= any(status.degraded(now) for status in feeds)
    except Exception as exc:
        checks["feeds"] = unavailable("feed freshness unreadable", exc)
        degraded = True
    return {"status": "degraded" if degraded else "ok", "checks": checks}, 200
