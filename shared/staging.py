"""Where a batch's prediction rows wait between the worker and finalisation: write-once
Parquet objects under ``staging/{batch_id}/`` in the object store. The worker's hot path
costs an object write, never a warehouse job (BigQuery allows 1,500 load jobs per table per
day); finalisation reads the batch's objects and loads them once."""
from __future__ import annotations

import io
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from shared import tables
from shared.ports import NotFound, ObjectStore

READERS = 16   # objects fetched in parallel at finalisation (each is one small GET on GCS)


def prefix(batch_id: str) -> str:
    return f"staging/{batch_id}/"


# an object is an Arrow IPC stream: a worker's write of 30 rows costs about a tenth of a millisecond
# (Parquet spent several encoding them). Objects written as Parquet read back the same.
_ARROW = {"STRING": pa.string(), "INT64": pa.int64(), "FLOAT64": pa.float64(), "BOOL": pa.bool_(),
          "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us", tz="UTC")}
SCHEMA = pa.schema([(c, _ARROW[tables.PREDICTIONS.type_of(c)]) for c in tables.PREDICTIONS.column_names])
SUFFIX = ".arrow"


def write(store: ObjectStore, columns: Mapping[str, Sequence]) -> int:
    """One new object per batch present in ``columns`` (prediction rows as one list per column;
    a column the coordinator stamps at finalisation may be absent); returns how many were
    written. The worker's hot path builds no DataFrame: its lists become one Arrow table."""
    n = len(columns["batch_id"])
    missing = [c for c in tables.PREDICTIONS.required if c not in columns or any(v is None for v in columns[c])]
    if missing:
        raise ValueError(f"{tables.PREDICTIONS.fqn}: staged rows lack required columns {missing}")
    try:
        table = pa.Table.from_pydict({c: columns.get(c, [None] * n) for c in SCHEMA.names}, schema=SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ValueError(f"{tables.PREDICTIONS.fqn}: staged rows do not fit the table: {exc}") from exc
    batches = sorted(set(columns["batch_id"]))
    for batch_id in batches:
        part = table if len(batches) == 1 else table.filter(pc.equal(table["batch_id"], batch_id))
        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, SCHEMA) as writer:
            writer.write_table(part)
        store.write(f"{prefix(str(batch_id))}{uuid.uuid4().hex}{SUFFIX}", sink.getvalue().to_pybytes(),
                    if_generation_match=0)
    return len(batches)


def read(store: ObjectStore, batch_id: str) -> pd.DataFrame:
    """Every staged row of the batch, one per prediction key: a player delivered twice was
    staged twice, and the later rows win. The objects are fetched in parallel and turned into
    one frame once."""
    keys = store.list(prefix(batch_id))

    def fetch(key: str) -> pa.Table | None:
        try:
            data = store.read(key).data
        except NotFound:
            return None
        if key.endswith(SUFFIX):
            return ipc.open_stream(data).read_all()
        return pq.read_table(io.BytesIO(data)).cast(SCHEMA)   # an object staged as Parquet

    with ThreadPoolExecutor(min(READERS, max(len(keys), 1))) as pool:
        parts = [p for p in pool.map(fetch, keys) if p is not None]
    if not parts:
        return tables.conform(tables.PREDICTIONS, pd.DataFrame(columns=tables.PREDICTIONS.column_names))
    rows = pa.concat_tables(parts).sort_by("created_at").to_pandas()     # Arrow's sort is stable
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
