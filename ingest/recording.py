"""Every fetch leaves its feed's freshness record behind, success or failure."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime

from shared import freshness
from shared.ports import ObjectStore


@dataclass
class Outcome:
    """What a successful fetch tells its record; the fetcher fills it in."""
    rows: int = 0
    covers: str = ""
    url: str | None = None
    notes: dict[str, str] = field(default_factory=dict)


@contextlib.contextmanager
def recorded(store: ObjectStore, feed: str, at: datetime):
    outcome = Outcome()
    try:
        yield outcome
    except Exception as exc:
        # the record says why, the caller still sees the error and decides the exit code
        freshness.record_failure(store, feed, at, str(exc) or type(exc).__name__, getattr(exc, "url", None))
        raise
    freshness.record_success(store, feed, at, outcome.rows, outcome.covers, outcome.url, outcome.notes)
