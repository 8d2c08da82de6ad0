"""Where a batch's document lives in the object store. The coordinator owns it; the worker
reads it to accept only requests that belong to a running batch."""
from __future__ import annotations

import json
import re

from shared.messages import BATCH_ID_PATTERN
from shared.ports import NotFound, ObjectStore

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
