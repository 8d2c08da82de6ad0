"""A batch's document: where it lives in the object store and what it holds (BatchDoc). The
coordinator writes it; the worker reads it to accept only requests that belong to a running
batch, the ledger for the lines' as-of; /status, the CLI and the console show its inputs.
Here in shared, not in the coordinator, because services never import each other."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from shared import documents
from shared.availability import AvailabilitySource
from shared.documents import Document, Stamp
from shared.messages import BATCH_ID_PATTERN, Line
from shared.ports import ObjectStore
from shared.timetable import EASTERN

_ID = re.compile(BATCH_ID_PATTERN[1:-1])


def check_id(batch_id: str) -> str:
    if not isinstance(batch_id, str) or not _ID.fullmatch(batch_id):
        raise ValueError(f"batch_id {str(batch_id)[:40]!r} is not a batch id (32 lowercase hex digits)")
    return batch_id


def batch_key(batch_id: str) -> str:
    return f"batches/{check_id(batch_id)}/batch.json"


class BatchInputs(BaseModel):
    """Which injury report and which line snapshot a batch read when it started (what its
    requests carry to the workers): the newest of each stored for the date at that moment,
    by its as-of time and the file or fetch it came from. None: nothing stored. Kept in the
    batch document under ``inputs``; a document written before it was recorded reads as all None."""
    model_config = ConfigDict(extra="forbid")

    injury_report_as_of: datetime | None = None
    injury_report_source: str | None = None   # the report's source file as stored (Injury-Report_..._05PM.csv)
    lines_as_of: datetime | None = None       # the newest book update among the lines used
    lines_source: str | None = None           # the snapshot it came from (odds_{date}_{fetched_at}.json)


class BatchSummary(Document):
    """A finished batch's counts and reasons (player id as text -> reason), kept so /status
    reads one object instead of every marker."""
    completed: int
    skipped: int
    failed: int
    skip_reasons: dict[str, str | None]
    fail_reasons: dict[str, str | None]


class BatchDoc(Document):
    """``batches/{batch_id}/batch.json``. Players are keyed by id (text in the JSON). A field
    added after documents were first written has a default, so an older document still reads;
    ``missing`` and ``summary`` are written when the batch finishes."""
    batch_id: str = Field(pattern=BATCH_ID_PATTERN)
    game_date: date
    players: list[int]
    expected: int
    state: Literal["running", "finished"]
    started_at: Stamp
    finished_at: Stamp | None = None
    correlation_id: str
    systems: list[str] | None = None
    props: list[str] | None = None
    lines: dict[int, dict[str, Line]] = Field(default_factory=dict)      # player -> prop -> line
    availability: dict[int, str] = Field(default_factory=dict)           # player -> the report's status
    availability_source: AvailabilitySource = "none"
    tonight: dict[int, dict[str, int | float | None]] = Field(default_factory=dict)   # tonight's columns
    out: dict[int, str] = Field(default_factory=dict)                    # player -> why he is not predicted
    degraded: bool = False
    missing_processors: list[str] = Field(default_factory=list)
    republished_at: Stamp | None = None
    forced: bool = False
    subset: bool = False
    inputs: BatchInputs = Field(default_factory=BatchInputs)
    prediction_version: int = 1
    parent_batch_id: str | None = None
    reason: str | None = None
    as_of: Stamp | None = None             # the moment whose report and lines it read
    missing: list[int] = Field(default_factory=list)
    summary: BatchSummary | None = None

    @field_serializer("inputs")
    def _every_input(self, inputs: BatchInputs) -> dict:
        return inputs.model_dump(mode="json")   # all four, as written, whichever were set


def read_batch(store: ObjectStore, batch_id: str) -> BatchDoc | None:
    found = documents.read(store, batch_key(batch_id), BatchDoc)
    return found[0] if found else None


def eastern(at: datetime | None) -> str:
    """An input's as-of time as people read it: ET, to the minute; "none" when nothing was stored."""
    return "none" if at is None else f"{at.astimezone(EASTERN):%Y-%m-%d %H:%M} ET"
