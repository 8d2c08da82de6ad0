"""Warehouse on one DuckDB file: the embedded default. One schema per BigQuery dataset."""
from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from shared import tables
from shared.ports import WarehouseBusy

_DUCK_TYPES = {"STRING": "VARCHAR", "INT64": "BIGINT", "FLOAT64": "DOUBLE", "BOOL": "BOOLEAN",
               "DATE": "DATE", "TIMESTAMP": "TIMESTAMPTZ"}
_PARAM = re.compile(r"@([A-Za-z_][A-Za-z0-9_]*)")


def _quote(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"invalid identifier {name!r}")
    return f'"{name}"'


def _fqn(table: tables.Table) -> str:
    return f"{_quote(table.dataset)}.{_quote(table.name)}"


class DuckDBWarehouse:
    def __init__(self, path: Path | str, read_only: bool = False):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise WarehouseBusy(
                    f"the warehouse {path} is held by another process ({exc}). On the embedded "
                    "default one process writes at a time: stop `bin/pipeline serve` (or the other "
                    "command), or send the work to the running services instead."
                ) from None
            raise
        self._lock = threading.RLock()
        self._conn.execute("SET TimeZone='UTC'")
        # Nothing here reads or writes a file but the database's own (frames travel as registered
        # views): no COPY TO, read_text, glob, ATTACH or extension install, and no statement can
        # switch that back on. Set last, since the time zone setting loads an extension.
        self._conn.execute("SET enable_external_access = false")
        self._conn.execute("SET lock_configuration = true")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- schema ---------------------------------------------------------------------------
    def ensure_tables(self) -> None:
        with self._lock:
            for table in tables.CATALOG.values():
                self._create(table, _fqn(table))

    def _create(self, table: tables.Table, name: str) -> None:
        self._conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(table.dataset)}")
        cols = ", ".join(f"{_quote(c)} {_DUCK_TYPES[t]}" for c, t in table.columns)
        self._conn.execute(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")
        # a column added to the catalogue after the table was made: add it (NULL for old rows)
        have = {r[0] for r in self._conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [table.dataset, table.name]).fetchall()}
        backfill = dict(table.backfill)
        for col, typ in table.columns:
            if col not in have:
                self._conn.execute(f"ALTER TABLE {name} ADD COLUMN {_quote(col)} {_DUCK_TYPES[typ]}")
                if col in backfill:   # a literal from the catalogue, never input
                    self._conn.execute(f"UPDATE {name} SET {_quote(col)} = {backfill[col]}")

    # -- reads ----------------------------------------------------------------------------
    def read(self, table: str, start: date | None = None, end: date | None = None,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
        t = tables.get(table)
        tables.check_filtered_read(t, start, end)
        cols = ", ".join(_quote(c) for c in (columns or t.column_names))
        where, params = self._range(t, start, end)
        with self._lock:
            frame = self._conn.execute(f"SELECT {cols} FROM {_fqn(t)}{where}", params).df()
        return tables.conform(t, frame, list(columns) if columns else None)

    @staticmethod
    def _range(t: tables.Table, start: date | None, end: date | None) -> tuple[str, list]:
        clauses, params = [], []
        if start is not None:
            clauses.append(f"{_quote(t.partition_column)} >= ?")
            params.append(start)
        if end is not None:
            clauses.append(f"{_quote(t.partition_column)} <= ?")
            params.append(end)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        with self._lock:
            return self._conn.execute(_PARAM.sub(r"$\1", sql), dict(params or {})).df()

    def count(self, table: str) -> int:
        with self._lock:
            row = self._conn.execute(f"SELECT COUNT(*) FROM {_fqn(tables.get(table))}").fetchone()
        return int(row[0]) if row else 0

    # -- writes ---------------------------------------------------------------------------
    def _insert(self, t: tables.Table, frame: pd.DataFrame) -> int:
        data = tables.conform(t, frame)
        self._conn.register("_incoming", data)
        try:
            cols = ", ".join(_quote(c) for c in t.column_names)
            self._conn.execute(f"INSERT INTO {_fqn(t)} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            self._conn.unregister("_incoming")
        return len(data)

    def replace_partitions(self, table: str, frame: pd.DataFrame, start: date, end: date) -> int:
        t = tables.get(table)
        tables.check_partition_range(t, frame, start, end)
        where, params = self._range(t, start, end)
        with self._lock, self._transaction():
            self._conn.execute(f"DELETE FROM {_fqn(t)}{where}", params)
            return self._insert(t, frame) if frame is not None and len(frame) else 0

    def append(self, table: str, frame: pd.DataFrame) -> int:
        t = tables.get(table)
        with self._lock, self._transaction():
            return self._insert(t, frame)

    def merge(self, source: str, target: str, source_filter: Mapping[str, Any] | None = None) -> int:
        """Upsert the source rows into target on the target's key, in one statement."""
        s, t = tables.get(source), tables.get(target)
        keys = ", ".join(_quote(k) for k in t.key)
        order = " ORDER BY created_at DESC" if "created_at" in s.column_names else ""
        where = self._filter(source_filter) or " WHERE TRUE"
        source_sql = (f"(SELECT * FROM {_fqn(s)}{where} "
                      f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {keys}{order}) = 1)")
        with self._lock, self._transaction():
            return self._merge(source_sql, t, list((source_filter or {}).values()))

    def merge_frame(self, table: str, frame: pd.DataFrame) -> int:
        t = tables.get(table)
        data = tables.conform(t, frame)
        with self._lock, self._transaction():
            self._conn.register("_incoming", data)
            try:
                return self._merge("_incoming", t, [])
            finally:
                self._conn.unregister("_incoming")

    @staticmethod
    def _filter(source_filter: Mapping[str, Any] | None) -> str:
        if not source_filter:
            return ""
        return " WHERE " + " AND ".join(f"{_quote(c)} = ?" for c in source_filter)

    def _merge(self, source_sql: str, t: tables.Table, params: list) -> int:
        on = " AND ".join(f"T.{_quote(k)} IS NOT DISTINCT FROM S.{_quote(k)}" for k in t.key)
        non_key = [c for c in t.column_names if c not in t.key]
        sets = ", ".join(f"{_quote(c)} = S.{_quote(c)}" for c in non_key)
        cols = ", ".join(_quote(c) for c in t.column_names)
        vals = ", ".join(f"S.{_quote(c)}" for c in t.column_names)
        sql = (f"MERGE INTO {_fqn(t)} AS T USING {source_sql} AS S ON {on} "
               f"WHEN MATCHED THEN UPDATE SET {sets} "
               f"WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({vals})")
        result = self._conn.execute(sql, params).fetchone()
        return int(result[0]) if result else 0

    @contextlib.contextmanager
    def _transaction(self):
        self._conn.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
