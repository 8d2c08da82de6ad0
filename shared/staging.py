"""Where a batch's prediction rows wait between the worker and finalisation: write-once
Parquet objects under ``staging/{batch_id}/`` in the object store. The worker's hot path
costs an object write, never a warehouse job (BigQuery allows 1,500 load jobs per table per
day); finalisation reads the batch's objects and loads them once."""
from __future__ import annotations

import io
import uuid
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from shared import tables
from shared.ports import NotFound, ObjectStore

READERS = 16   # objects fetched in parallel at finalisation (each is one small GET on GCS)


def prefix(batch_id: str) -> str:
    return f"staging/{batch_id}/"


def write(store: ObjectStore, rows: pd.DataFrame) -> int:
    """One new object per batch present in ``rows``; returns how many were written."""
    for batch_id, part in rows.groupby("batch_id"):
        stamped = {c: None for c in tables.BATCH_STAMPED if c not in part.columns}   # the coordinator's to fill
        data = tables.conform(tables.PREDICTIONS, part.assign(**stamped))
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(data, preserve_index=False), buffer)
        store.write(f"{prefix(str(batch_id))}{uuid.uuid4().hex}.parquet", buffer.getvalue(), if_generation_match=0)
    return rows["batch_id"].nunique()


def read(store: ObjectStore, batch_id: str) -> pd.DataFrame:
    """Every staged row of the batch, one per prediction key: a player delivered twice was
    staged twice, and the later rows win."""
    keys = store.list(prefix(batch_id))

    def fetch(key: str) -> pd.DataFrame | None:
        try:
            return pq.read_table(io.BytesIO(store.read(key).data)).to_pandas()
        except NotFound:
            return None

    with ThreadPoolExecutor(min(READERS, max(len(keys), 1))) as pool:
        parts = [p for p in pool.map(fetch, keys) if p is not None]
    if not parts:
        return tables.conform(tables.PREDICTIONS, pd.DataFrame(columns=tables.PREDICTIONS.column_names))
    rows = pd.concat(parts, ignore_index=True).sort_values("created_at", kind="stable")
    return tables.conform(tables.PREDICTIONS, rows.drop_duplicates(list(tables.PREDICTIONS.key), keep="last"))


def staged(store: ObjectStore) -> dict[str, list[str]]:
    """The staged objects of every batch that has some, by batch id."""
    found: dict[str, list[str]] = {}
    for key in store.list("staging/"):
        found.setdefault(key.split("/")[1], []).append(key)
    return found


def clear(store: ObjectStore, batch_id: str) -> None:
    for key in store.list(prefix(batch_id)):
        store.delete(key)
