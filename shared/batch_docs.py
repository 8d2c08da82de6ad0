"""Where a batch's document lives in the object store, and what it records about its inputs.
The coordinator owns it; the worker reads it to accept only requests that belong to a running
batch; /status, the CLI and the console show its inputs."""
from __future__ import annotations

import json
import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.messages import BATCH_ID_PATTERN
from shared.ports import NotFound, ObjectStore
from shared.timetable import EASTERN

_ID = re.compile(BATCH_ID_PATTERN[1:-1])


def check_id(batch_id: str) -> str:
    if not isinstance(batch_id, str) or not _ID.fullmatch(batch_id):
        raise ValueError(f"batch_id {str(batch_id)[:40]!r} is not a batch id (32 lowercase hex digits)")
    return batch_id


def batch_key(batch_id: str) -> str:
    return f"batches/{check_id(batch_id)}/batch.json"


def read_batch(store: ObjectStore, batch_id: str) -> dict | None:
    try:
        return json.loads(store.read(batch_key(batch_id)).data)
    except NotFound:
        return None


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


def batch_inputs(doc: dict) -> BatchInputs:
    return BatchInputs.model_validate(doc.get("inputs") or {})


def eastern(at: datetime | None) -> str:
    """An input's as-of time as people read it: ET, to the minute; "none" when nothing was stored."""
    return "none" if at is None else f"{at.astimezone(EASTERN):%Y-%m-%d %H:%M} ET"
