"""`serve`'s warehouse reader answers the read model's two questions (a table's rows by date
range, a table's count) and never SQL text; a question it cannot answer is a JSON 400 naming
the field, never an HTML 500 or DuckDB's own text; whatever is sent, no file is written and no
table created or dropped."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from bin import stack as local
from bin.warehouse_reader import RemoteWarehouse, create_app
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.auth import bearer

TOKEN = "reader-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BOX = tables.PLAYER_GAME_SUMMARY.fqn
PREDICTIONS = tables.PREDICTIONS.fqn
DEEP = "[" * 1000 + "]" * 1000
INTERNAL = ("Error:", "LINE 1", "Traceback", "<html", "duckdb", "root:")


@pytest.fixture
def warehouse(sample_db, tmp_path):
    shutil.copy(sample_db, tmp_path / "warehouse.duckdb")
    wh = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    wh.ensure_tables()
    yield wh
    wh.close()


@pytest.fixture
def client(warehouse):
    return create_app(warehouse, bearer(TOKEN)).test_client()


def tables_in(wh) -> set[str]:
    found = wh.query("SELECT table_schema || '.' || table_name AS t FROM information_schema.tables")
    return set(found["t"])


# what slipped past the single-SELECT check: it parsed the SQL with every @ read as $, so the
# second statement sat inside a dollar-quoted string; the warehouse rewrites only @name
HIDDEN = "SELECT $$ @@ || @x@ $$ AS a; {} ; SELECT 1 AS b -- @x@"
ATTACKS = {
    "copy to a file": HIDDEN.format("COPY (SELECT 'x') TO '{out}'"),
    "create a table": HIDDEN.format("CREATE TABLE analytics.pwned AS SELECT 1 AS b"),
    "drop a table": HIDDEN.format(f"DROP TABLE {PREDICTIONS}"),
    "read a file": "SELECT content FROM read_text('/etc/passwd')",
    "list a directory": "SELECT * FROM glob('/*')",
}


@pytest.mark.parametrize("sql", ATTACKS.values(), ids=ATTACKS)
def test_sql_text_is_no_question_the_reader_answers(warehouse, client, tmp_path, sql):
    out = tmp_path / "written-by-the-reader.csv"
    sql = sql.format(out=out)
    before, rows = tables_in(warehouse), warehouse.count(BOX)
    answers = [
        (client.post("/query", json={"sql": sql}, headers=AUTH), 404, None),
        (client.post("/read", json={"table": BOX, "sql": sql}, headers=AUTH), 400, "sql"),
        (client.post("/read", json={"table": sql}, headers=AUTH), 400, "table"),
        (client.post("/read", json={"table": BOX, "columns": [sql]}, headers=AUTH), 400, "columns"),
        (client.post("/count", json={"table": sql}, headers=AUTH), 400, "table"),
    ]
    for resp, status, field in answers:
        assert resp.status_code == status and resp.is_json, (resp.status_code, resp.get_data()[:200])
        assert resp.json.get("field") == field
        assert not any(text in resp.get_data(as_text=True) for text in INTERNAL), resp.json
    assert not out.exists()
    assert tables_in(warehouse) == before and warehouse.count(BOX) == rows


def raw(text: str) -> dict:
    return {"data": text, "content_type": "application/json"}


T = {"table": BOX}
QUESTIONS = {
    "impossible date": ("/read", {**T, "start": "2024-02-30"}, "start"),
    "a timestamp": ("/read", {**T, "start": "2024-01-16T00:00"}, "start"),
    "a number for a date": ("/read", {**T, "end": 20240116}, "end"),
    "a reversed range": ("/read", {**T, "start": "2024-01-16", "end": "2024-01-01"}, "end"),
    "no table": ("/read", {"start": "2024-01-16"}, "table"),
    "an unknown table": ("/read", {"table": "analytics.nope"}, "table"),
    "a number for a table": ("/read", {"table": 7}, "table"),
    "an unknown column": ("/read", {**T, "columns": ["pts", "nope"]}, "columns"),
    "a column that is no name": ("/read", {**T, "columns": ["pts; DROP"]}, "columns"),
    "a string for columns": ("/read", {**T, "columns": "pts"}, "columns"),
    "no columns": ("/read", {**T, "columns": []}, "columns"),
    "a column twice": ("/read", {**T, "columns": ["pts", "pts"]}, "columns"),
    "an unknown parameter": ("/read", {**T, "colour": "red"}, "colour"),
    "a table read whole that needs a range": ("/read", {"table": PREDICTIONS}, "start"),
    "a filtered table open at the end": ("/read", {"table": PREDICTIONS, "start": "2024-01-15"}, "end"),
    "a count with a range": ("/count", {**T, "start": "2024-01-16"}, "start"),
    "a count of nothing": ("/count", {}, "table"),
}
BODIES = {
    "an array": ("/read", raw("[]"), "<body>"),
    "a string": ("/count", raw('"analytics.schedule"'), "<body>"),
    "not JSON": ("/read", raw("{table:"), "<body>"),
    "a thousand deep": ("/read", raw(DEEP), "<body>"),
    "deep inside": ("/count", raw('{"table": ' + DEEP + "}"), "<body>"),
    "a key twice": ("/read", raw(f'{{"table": "{BOX}", "table": "{PREDICTIONS}"}}'), "table"),
}


@pytest.mark.parametrize("path, body, field", QUESTIONS.values(), ids=QUESTIONS)
def test_a_question_it_cannot_answer_is_a_json_400_naming_the_field(client, path, body, field):
    resp = client.post(path, json=body, headers=AUTH)
    assert resp.status_code == 400 and resp.is_json, (resp.status_code, resp.get_data()[:200])
    assert resp.json["field"] == field and resp.json["error"]
    assert not any(text in resp.get_data(as_text=True) for text in INTERNAL), resp.json


@pytest.mark.parametrize("path, request_args, field", BODIES.values(), ids=BODIES)
def test_a_body_that_is_no_question_is_a_json_400(client, path, request_args, field):
    resp = client.post(path, headers=AUTH, **request_args)
    assert resp.status_code == 400 and resp.is_json, (resp.status_code, resp.get_data()[:200])
    assert resp.json["field"] == field
    assert not any(text in resp.get_data(as_text=True) for text in INTERNAL), resp.json


def test_what_flask_refuses_is_json_and_credentials_come_first(client):
    assert client.post("/read", json=T).status_code == 401
    assert client.post("/query", json={"sql": "SELECT 1"}).status_code == 401
    for resp, status in ((client.get("/read", headers=AUTH), 405),
                         (client.post("/read", data="{}", content_type="text/plain", headers=AUTH), 415),
                         (client.post("/read", data=b" " * 1_000_001, content_type="application/json",
                                      headers=AUTH), 413)):
        assert resp.status_code == status and resp.is_json and resp.json["error"]


def test_a_running_reader_answers_the_read_only_commands_questions(warehouse):
    server = local.serve_loopback(create_app(warehouse, bearer(TOKEN)))
    try:
        remote = RemoteWarehouse(f"http://127.0.0.1:{server.server_port}", TOKEN)
        start, end, columns = date(2024, 1, 10), date(2024, 1, 15), ["game_date", "player_id", "pts", "minutes"]
        got = remote.read(BOX, start, end, columns)
        want = warehouse.read(BOX, start, end, columns)
        assert len(got) > 500 and got.dtypes.equals(want.dtypes)
        assert got.sort_values(["game_date", "player_id"]).reset_index(drop=True).equals(
            want.sort_values(["game_date", "player_id"]).reset_index(drop=True))
        assert remote.count(BOX) == warehouse.count(BOX) > 20_000
        with pytest.raises(RuntimeError, match="400"):
            remote.read(PREDICTIONS)
        assert not hasattr(remote, "query")
    finally:
        server.shutdown()
