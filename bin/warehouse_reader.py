"""Read-only access to the embedded warehouse while `serve` holds it.

DuckDB lets one process open the file for writing and then no other process may open it
at all, not even read-only. `serve` therefore also listens for reads on loopback (same
token as the services) and advertises the address in ``$PIPELINE_HOME/serve.json``; the
read-only commands (`counts`, `export-predictions`, `evaluate`) fall back to it when the
file is held. It answers two questions of the read model and never SQL text: the rows of a
catalogue table in a date range (chosen columns), and a table's row count. Frames travel as
Arrow IPC so column types survive the trip."""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import date
from typing import Annotated

import pandas as pd
import pyarrow as pa
import requests
from flask import Flask, Response, request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from bin.local_token import local_token
from shared import bodies, http_errors, openapi, tables
from shared.auth import guard
from shared.config import Settings
from shared.messages import GameDate, describe
from shared.ports import Warehouse

ADVERT = "serve.json"
ARROW = "application/vnd.apache.arrow.stream"


def _in_catalogue(name: str) -> str:
    if name not in tables.CATALOG:
        raise ValueError(f"not a table of the catalogue ({', '.join(sorted(tables.CATALOG))})")
    return name


TableName = Annotated[str, AfterValidator(_in_catalogue), WithJsonSchema({"enum": sorted(tables.CATALOG)})]
ColumnName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=64)]


class CountQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    table: TableName


class ReadQuestion(CountQuestion):
    """A table's rows with its partition date in start..end (either end open), all columns or some."""
    start: GameDate | None = None
    end: GameDate | None = None
    columns: list[ColumnName] | None = Field(default=None, min_length=1, max_length=200)


class Refusal(ValueError):
    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.status = field, status


def create_app(warehouse: Warehouse, check=None) -> Flask:
    app = Flask("warehouse_reader")
    http_errors.install(app)
    guard(app, check)

    @app.errorhandler(Refusal)
    def _refused(exc: Refusal):
        return {"error": str(exc), "field": exc.field}, exc.status

    @app.post("/read")
    def read():
        q = _question(ReadQuestion)
        _check_read(q)
        return _arrow(warehouse.read(q.table, q.start, q.end, q.columns))

    @app.post("/count")
    def count():
        return {"rows": warehouse.count(_question(CountQuestion).table)}

    openapi.publish(app, SPEC)
    return app


def _question(model: type[CountQuestion]):
    try:
        body = bodies.json_object(request)
    except bodies.Refused as exc:
        raise Refusal(exc.field, str(exc), exc.status) from None
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        raise Refusal(str(loc[0]) if loc else "<body>", describe(exc)) from None


def _check_read(q: ReadQuestion) -> None:
    """What the types cannot say: the columns belong to the table, and the range fits it."""
    t = tables.CATALOG[q.table]
    unknown = [c for c in q.columns or [] if c not in t.column_names]
    if unknown:
        raise Refusal("columns", f"{', '.join(map(repr, unknown[:5]))} {'is' if len(unknown) == 1 else 'are'} "
                                 f"not a column of {t.fqn}")
    if q.columns and len(set(q.columns)) < len(q.columns):
        raise Refusal("columns", "columns names a column twice")
    if t.partition is None and (q.start or q.end):
        raise Refusal("start" if q.start else "end", f"{t.fqn} has no date partition: give neither start nor end")
    if q.start and q.end and q.end < q.start:
        raise Refusal("end", f"end {q.end} is before start {q.start}")
    try:
        tables.check_filtered_read(t, q.start, q.end)
    except ValueError as exc:
        raise Refusal("end" if q.start else "start", str(exc)) from None


def _arrow(frame: pd.DataFrame) -> Response:
    sink = pa.BufferOutputStream()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return Response(sink.getvalue().to_pybytes(), mimetype=ARROW)


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
    return RemoteWarehouse(advert["reader"], local_token(settings))


class RemoteWarehouse:
    """The reads of the Warehouse port (``read`` and ``count``), answered by a running `serve`."""

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

    def ensure_tables(self) -> None:
        """`serve` created them when it started."""

    def read(self, table: str, start: date | None = None, end: date | None = None,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
        body = {"table": table, "start": start and start.isoformat(), "end": end and end.isoformat(),
                "columns": list(columns) if columns else None}
        return pa.ipc.open_stream(self._post("/read", body).content).read_pandas()

    def count(self, table: str) -> int:
        return int(self._post("/count", {"table": table}).json()["rows"])

    def close(self) -> None:
        self.session.close()


BAD = {"400": openapi.json_response("a question the reader does not answer; `field` names what is wrong",
                                    openapi.ERROR),
       "413": openapi.json_response("body over 1 MB", openapi.ERROR),
       "415": openapi.json_response("body not sent as application/json", openapi.ERROR)}


def _operation(summary: str, model: type[BaseModel], answer: dict) -> dict:
    return {"post": {**openapi.AUTHED, "summary": summary, "requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}},
        "responses": {"200": answer, **BAD, **openapi.UNAUTHORIZED}}}


SPEC = openapi.document("warehouse reader", "Reads of the embedded warehouse while `serve` holds the file "
                        "(loopback only): a table's rows by date range, and its row count.", {
    "/read": _operation("a catalogue table's rows in a partition date range", ReadQuestion, {
        "description": "the rows as an Arrow IPC stream", "content": {ARROW: {"schema": {
            "type": "string", "format": "binary"}}}}),
    "/count": _operation("a catalogue table's row count", CountQuestion, openapi.json_response(
        "the count", {"type": "object", "required": ["rows"], "properties": {"rows": {"type": "integer"}}})),
})
