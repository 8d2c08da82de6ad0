"""Warehouse on BigQuery. Datasets and tables come from ``shared.tables``.

Partition replace is one atomic MERGE (delete the range, insert the new rows), never a
DELETE followed by a separate INSERT; merges are one MERGE statement on the table key.
"""
from __future__ import annotations

import io
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from shared import tables


def _ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"invalid identifier {name!r}")
    return f"`{name}`"


def _param(name: str, value: Any):
    from google.cloud import bigquery

    if isinstance(value, (list, tuple)):
        first = value[0] if value else ""
        return bigquery.ArrayQueryParameter(name, _type_of(first), list(value))
    return bigquery.ScalarQueryParameter(name, _type_of(value), value)


_ARROW = {"STRING": pa.string(), "INT64": pa.int64(), "FLOAT64": pa.float64(), "BOOL": pa.bool_(),
          "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us", tz="UTC")}


def _to_arrow(t: tables.Table, data: pd.DataFrame) -> pa.Table:
    """The table's declared types, so BigQuery sees DATE as DATE (not a timestamp) in the Parquet."""
    columns = {c: data[c].dt.date if typ == "DATE" else data[c] for c, typ in t.columns}
    schema = pa.schema([(c, _ARROW[typ]) for c, typ in t.columns])
    return pa.Table.from_pandas(pd.DataFrame(columns), schema=schema, preserve_index=False)


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "FLOAT64"
    if isinstance(value, datetime):
        return "TIMESTAMP"
    if isinstance(value, date):
        return "DATE"
    return "STRING"


class BigQueryWarehouse:
    def __init__(self, project: str, client=None, location: str = "US"):
        from google.cloud import bigquery

        self.project = project
        self.location = location
        self.client = client or bigquery.Client(project=project, location=location)

    def _table_id(self, t: tables.Table) -> str:
        return f"{self.project}.{t.dataset}.{t.name}"

    def _sql_name(self, t: tables.Table) -> str:
        return f"{_ident(t.dataset)}.{_ident(t.name)}"

    def ensure_tables(self) -> None:
        from google.api_core import exceptions
        from google.cloud import bigquery

        # look before creating: BigQuery checks the create permission before it finds that a dataset or
        # table exists, and the jobs' accounts may read and write tables (bin/deploy made) but not create them
        for dataset in sorted({t.dataset for t in tables.CATALOG.values()}):
            try:
                self.client.get_dataset(f"{self.project}.{dataset}")
            except exceptions.NotFound:
                self.client.create_dataset(bigquery.Dataset(f"{self.project}.{dataset}"), exists_ok=True)
        for t in tables.CATALOG.values():
            try:
                existing = self.client.get_table(self._table_id(t))
            except exceptions.NotFound:
                existing = self._create(t)
            have = {f.name for f in existing.schema}
            backfill = dict(t.backfill)
            for col, typ in t.columns:   # declared after the table was made: added as NULLABLE
                if col not in have:
                    self._run(f"ALTER TABLE {self._sql_name(t)} ADD COLUMN IF NOT EXISTS {_ident(col)} {typ}")
                    if col in backfill:   # a literal from the catalogue; the range is the partition filter
                        window = f" AND {_ident(t.partition)} BETWEEN @first AND @last" if t.partition else ""
                        self._run(f"UPDATE {self._sql_name(t)} SET {_ident(col)} = {backfill[col]} "
                                  f"WHERE {_ident(col)} IS NULL{window}",
                                  {"first": tables.EVERY_DATE[0], "last": tables.EVERY_DATE[1]} if window else {})

    def _create(self, t: tables.Table):
        from google.api_core import exceptions
        from google.cloud import bigquery

        table = bigquery.Table(self._table_id(t), schema=[bigquery.SchemaField(c, typ) for c, typ in t.columns])
        if t.partition:
            table.time_partitioning = bigquery.TimePartitioning(field=t.partition)
            table.clustering_fields = [k for k in t.key if t.type_of(k) != "DATE"][:4] or None
        try:
            return self.client.create_table(table, exists_ok=True)
        except exceptions.Conflict:
            return self.client.get_table(self._table_id(t))

    def _run(self, sql: str, params: Mapping[str, Any] | None = None):
        from google.cloud import bigquery

        config = bigquery.QueryJobConfig(query_parameters=[_param(k, v) for k, v in (params or {}).items()])
        return self.client.query_and_wait(sql, job_config=config)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        # through Arrow: RowIterator.to_dataframe is deprecated in favour of pandas-gbq, to_arrow is not
        table = self._run(sql, params).to_arrow(create_bqstorage_client=False)
        return table.to_pandas(date_as_object=False, types_mapper={pa.int64(): pd.Int64Dtype(),
                                                                   pa.bool_(): pd.BooleanDtype()}.get)

    def read(self, table: str, start: date | None = None, end: date | None = None,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
        t = tables.get(table)
        tables.check_filtered_read(t, start, end)
        cols = ", ".join(_ident(c) for c in (columns or t.column_names))
        clauses, params = [], {}
        if start is not None:
            clauses.append(f"{_ident(t.partition_column)} >= @start")
            params["start"] = start
        if end is not None:
            clauses.append(f"{_ident(t.partition_column)} <= @end")
            params["end"] = end
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        frame = self.query(f"SELECT {cols} FROM {self._sql_name(t)}{where}", params)
        return tables.conform(t, frame, list(columns) if columns else None)

    def count(self, table: str) -> int:
        t = tables.get(table)
        return int(self.query(f"SELECT COUNT(*) AS n FROM {self._sql_name(t)}")["n"].iloc[0])

    def _load(self, t: tables.Table, frame: pd.DataFrame, table_id: str, append: bool) -> int:
        from google.cloud import bigquery

        data = tables.conform(t, frame)
        config = bigquery.LoadJobConfig(
            schema=[bigquery.SchemaField(c, typ) for c, typ in t.columns],
            write_disposition="WRITE_APPEND" if append else "WRITE_TRUNCATE",
            source_format=bigquery.SourceFormat.PARQUET,
        )
        # our own Parquet through load_table_from_file: load_table_from_dataframe is deprecated
        buffer = io.BytesIO()
        pq.write_table(_to_arrow(t, data), buffer)
        buffer.seek(0)
        self.client.load_table_from_file(buffer, table_id, job_config=config).result()
        return len(data)

    def _scratch(self, t: tables.Table, frame: pd.DataFrame) -> tuple[str, str]:
        name = f"_scratch_{t.name}_{uuid.uuid4().hex[:12]}"
        table_id = f"{self.project}.{t.dataset}.{name}"
        self._load(t, frame, table_id, append=False)
        return table_id, f"{_ident(t.dataset)}.{_ident(name)}"

    def append(self, table: str, frame: pd.DataFrame) -> int:
        t = tables.get(table)
        return self._load(t, frame, self._table_id(t), append=True) if len(frame) else 0

    def replace_partitions(self, table: str, frame: pd.DataFrame, start: date, end: date) -> int:
        t = tables.get(table)
        tables.check_partition_range(t, frame, start, end)
        part = _ident(t.partition_column)
        cols = ", ".join(_ident(c) for c in t.column_names)
        vals = ", ".join(f"S.{_ident(c)}" for c in t.column_names)
        if frame is None or not len(frame):
            self._run(f"DELETE FROM {self._sql_name(t)} WHERE {part} BETWEEN @start AND @end",
                      {"start": start, "end": end})
            return 0
        scratch_id, scratch = self._scratch(t, frame)
        try:
            self._run(
                f"MERGE {self._sql_name(t)} T USING {scratch} S ON FALSE "
                f"WHEN NOT MATCHED BY SOURCE AND T.{part} BETWEEN @start AND @end THEN DELETE "
                f"WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({vals})",
                {"start": start, "end": end})
        finally:
            self.client.delete_table(scratch_id, not_found_ok=True)
        return len(frame)

    @staticmethod
    def _window(t: tables.Table, first: date | None, last: date | None) -> tuple[str, dict]:
        """The constant partition predicate a MERGE into ``t`` carries when BigQuery demands one
        (dbt-bigquery #792: a join on the partition column is not a filter)."""
        if not t.partition_filter_required:
            return "", {}
        if first is None or last is None:
            raise ValueError(f"{t.fqn} requires a partition filter: a MERGE into it needs the {t.partition} range")
        return f" AND T.{_ident(t.partition_column)} BETWEEN @w_first AND @w_last", {"w_first": first, "w_last": last}

    def _merge_sql(self, t: tables.Table, source_sql: str, window: str = "") -> str:
        on = " AND ".join(f"T.{_ident(k)} = S.{_ident(k)}" for k in t.key) + window
        sets = ", ".join(f"{_ident(c)} = S.{_ident(c)}" for c in t.column_names if c not in t.key)
        cols = ", ".join(_ident(c) for c in t.column_names)
        vals = ", ".join(f"S.{_ident(c)}" for c in t.column_names)
        return (f"MERGE {self._sql_name(t)} T USING {source_sql} S ON {on} "
                f"WHEN MATCHED THEN UPDATE SET {sets} "
                f"WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({vals})")

    def merge(self, source: str, target: str, source_filter: Mapping[str, Any] | None = None) -> int:
        s, t = tables.get(source), tables.get(target)
        where = " AND ".join(f"{_ident(c)} = @f_{c}" for c in (source_filter or {})) or "TRUE"
        keys = ", ".join(_ident(k) for k in t.key)
        order = " ORDER BY created_at DESC" if "created_at" in s.column_names else ""
        source_sql = (f"(SELECT * FROM {self._sql_name(s)} WHERE {where} "
                      f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {keys}{order}) = 1)")
        day = (source_filter or {}).get(t.partition) if t.partition else None
        window, bounds = self._window(t, day, day)
        result = self._run(self._merge_sql(t, source_sql, window),
                           {**{f"f_{c}": v for c, v in (source_filter or {}).items()}, **bounds})
        return int(result.num_dml_affected_rows or 0) if hasattr(result, "num_dml_affected_rows") else 0

    def merge_frame(self, table: str, frame: pd.DataFrame) -> int:
        t = tables.get(table)
        if not len(frame):
            return 0
        dates = pd.to_datetime(frame[t.partition]).dt.date if t.partition else None
        window, bounds = self._window(t, dates.min() if dates is not None else None,
                                      dates.max() if dates is not None else None)
        scratch_id, scratch = self._scratch(t, frame)
        try:
            self._run(self._merge_sql(t, scratch, window), bounds)
        finally:
            self.client.delete_table(scratch_id, not_found_ok=True)
        return len(frame)
