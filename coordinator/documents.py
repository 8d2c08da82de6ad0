"""The coordinator's own stored documents beside the batch document (shared/batch_docs.py):
the date's pointer, the finalisation claim, a player's done marker and the stall check's
progress. Only coordinator/batches.py reads and writes them; the rest of the coordinator
uses these models."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.batch_docs import BatchSummary
from shared.documents import Document, Stamp
from shared.messages import BATCH_ID_PATTERN


class Owner(Document):
    """The process that wrote a claim: on one machine a claim whose process is gone is void."""
    host: str | None = None
    pid: int | None = None


class DatePointer(Owner):
    """``batches/by_date/{date}.json``: the date's current batch; create-only, replaced by a
    forced /start or when the batch it names was never created."""
    batch_id: str = Field(pattern=BATCH_ID_PATTERN)
    claimed_at: Stamp | None = None


class FinalClaim(Owner):
    """``batches/{id}/final.json``: who consolidates the batch (create-only), then how it ended."""
    state: Literal["claimed", "failed", "finalized"]
    claimed_at: Stamp
    token: str
    error: str | None = None           # failed: why the consolidation failed
    finalized_at: Stamp | None = None
    rows: int | None = None
    missing: list[int] = Field(default_factory=list)
    summary: BatchSummary | None = None


class DoneMarker(Document):
    """``batches/{id}/done/{player}.json``, write-once: the player's outcome."""
    status: Literal["completed", "skipped", "failed"]
    reason: str | None = None
    n_rows: int = 0
    at: Stamp


class Progress(Document):
    """``batches/{id}/progress.json``: how many players had reported at the stall check's last look."""
    count: int
    at: Stamp
