"""Read-only access to the embedded warehouse while `serve` holds it.

DuckDB lets one process open the file for writing and then no other process may open it
at all, not even read-only. `serve` therefore also listens for reads on loopback (same
token as the services) and advertises the address in ``$PIPELINE_HOME/serve.json``; the
read-only commands (`counts`, `export-predictions`, `evaluate`) fall back to it when the
file is held. Only single SELECT statements are answered; frames travel as Arrow IPC so
column types survive the trip."""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import date
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import requests
from flask import Flask, Response, abort, request

from shared import tables
from shared.config import Settings
from shared.ports import Warehouse

ADVERT = "serve.json"
ARROW = "application/vnd.apache.arrow.stream"


def create_app(warehouse: Warehouse, check=None) -> Flask:
    app = Flask("warehouse_reader")
    if check is not None:
        app.before_request(lambda: check(request))

    @app.post("/read")
    def read():
        body = request.get_json(force=True)
        start, end = (date.fromisoformat(body[k]) if body.get(k) else None for k in ("start", "end"))
        return _arrow(warehouse.read(_table(body), start, end, body.get("columns")))

    @app.post("/count")
    def count():
        return {"rows": warehouse.count(_table(request.get_json(force=True)))}

    @app.post("/query")
    def query():
        body = request.get_json(force=True)
        sql = str(body.get("sql", ""))
        try:
            statements = duckdb.extract_statements(sql.replace("@", "$"))
        except duckdb.Error as exc:
            abort(400, f"sql: {exc}")
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            abort(403, "sql: only one SELECT statement is answered here")
        return _arrow(warehouse.query(sql, _decode(body.get("params") or {})))

    return app


def _table(body: dict) -> str:
    name = str(body.get("table", ""))
    if name not in tables.CATALOG:
        abort(400, f"table: {name!r} is not in the catalogue")
    return name


def _arrow(frame: pd.DataFrame) -> Response:
    sink = pa.BufferOutputStream()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return Response(sink.getvalue().to_pybytes(), mimetype=ARROW)


def _encode(params: Mapping[str, Any]) -> dict:
    return {k: {"date": v.isoformat()} if isinstance(v, date) else {"value": v} for k, v in params.items()}


def _decode(params: Mapping[str, dict]) -> dict:
    return {k: date.fromisoformat(v["date"]) if "date" in v else v["value"] for k, v in params.items()}


def advertise(settings: Settings, url: str) -> None:
    path = settings.home / ADVERT
    path.write_text(json.dumps({"pid": os.getpid(), "reader": url}))


def withdraw(settings: Settings) -> None:
    (settings.home / ADVERT).unlink(missing_ok=True)


def connect(settings: Settings) -> RemoteWarehouse | None:
    """The running `serve`'s reader, or None when no live `serve` advertises one."""
    try:
        advert = json.loads((settings.home / ADVERT).read_text())
        os.kill(int(advert["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    from bin.stack import local_token

    return RemoteWarehouse(advert["reader"], local_token(settings))


class RemoteWarehouse:
    """The read half of the Warehouse port, answered by a running `serve`."""

    def __init__(self, url: str, token: str | None):
        self.url = url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def _post(self, path: str, body: dict) -> requests.Response:
        response = self.session.post(f"{self.url}{path}", json=body, timeout=300)
        if response.status_code != 200:
            raise RuntimeError(f"the running serve refused {path}: {response.status_code} {response.text[:300]}")
        return response

    def _frame(self, path: str, body: dict) -> pd.DataFrame:
        return pa.ipc.open_stream(self._post(path, body).content).read_pandas()

    def ensure_tables(self) -> None:
        """`serve` created them when it started."""

    def read(self, table: str, start: date | None = None, end: date | None = None, columns=None) -> pd.DataFrame:
        return self._frame("/read", {"table": table, "start": start and start.isoformat(),
                                     "end": end and end.isoformat(), "columns": list(columns) if columns else None})

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        return self._frame("/query", {"sql": sql, "params": _encode(params or {})})

    def count(self, table: str) -> int:
        return int(self._post("/count", {"table": table}).json()["rows"])

    def close(self) -> None:
        self.session.close()
