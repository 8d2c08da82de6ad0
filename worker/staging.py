"""The worker's staging writes: a group's rows (worker/rows.py) as one new object under the
batch (shared/staging.py). Requests are grouped before they get here (worker/coalesce.py),
so concurrent requests already share one object; nothing is acknowledged before its
write returns."""
from __future__ import annotations

from shared import staging
from shared.ports import ObjectStore
from worker.rows import Columns


class StagingWriter:
    def __init__(self, store: ObjectStore):
        self.store = store

    def write(self, columns: Columns) -> None:
        staging.write(self.store, columns)
