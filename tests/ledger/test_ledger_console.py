"""The ledger in the console, through its test client over the hand-made night: /v1/ledger
answers the same rows and totals as the CLI, the Ledger page shows them, refusals name the
field."""
from __future__ import annotations

import pytest

from console.app import create_app
from console.main import access_from_settings, build_deps
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.config import Settings
from shared.coordinator_client import CoordinatorClient
from tests.ledger import night

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _app(home, wh, store):
    settings = Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN})
    deps = build_deps(settings, wh, store, coordinator=CoordinatorClient("http://127.0.0.1:9", lambda: TOKEN))
    return create_app(deps, access_from_settings(settings))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = tmp_path_factory.mktemp("ledger-console")
    wh, store = night.build(home)
    yield _app(home, wh, store).test_client()
    wh.close()


def test_the_api_answers_every_call_with_its_grade_and_the_totals(client):
    body = client.get(f"/v1/ledger?start={night.DAY}&end={night.NEXT}", headers=AUTH).get_json()
    assert (body["system"], body["start"], body["end"]) == ("ensemble", str(night.DAY), str(night.NEXT))
    assert len(body["calls"]) == 6
    ann = next(c for c in body["calls"] if c["player_id"] == 1 and c["game_date"] == str(night.DAY))
    assert (ann["call"], ann["price"], ann["result"], ann["closing_line"], ann["clv_points"]) == \
        ("OVER", 1.87, "win", 25.5, 1.0)
    assert (body["total"]["bets"], body["total"]["wins"], body["total"]["void"]) == (4, 2, 1)
    assert {r["prop"]: r["bets"] for r in body["by"]["prop"]} == {"points": 2, "rebounds": 1, "assists": 1,
                                                                   "threes": 0}


def test_a_window_without_calls_is_empty_not_an_error(client):
    body = client.get("/v1/ledger?start=2024-01-10&end=2024-01-10", headers=AUTH).get_json()
    assert body["calls"] == [] and body["total"]["bets"] == 0 and body["by"]["prop"] == []


def test_the_default_window_ends_at_the_last_date_with_a_call(client):
    body = client.get("/v1/ledger?system=xgboost", headers=AUTH).get_json()
    assert body["end"] == str(night.NEXT) and [c["call"] for c in body["calls"]] == ["UNDER"]


@pytest.mark.parametrize("query, field", [("system=oracle", "system"), ("start=2024-02-30", "start"),
                                          (f"start={night.NEXT}&end={night.DAY}", "start"), ("prop=points", "prop")])
def test_bad_queries_are_400_naming_the_field(client, query, field):
    resp = client.get(f"/v1/ledger?{query}", headers=AUTH)
    assert resp.status_code == 400 and resp.get_json()["field"] == field


def test_the_api_wants_credentials(client):
    assert client.get("/v1/ledger").status_code == 401


def test_the_ledger_page_shows_the_totals_and_each_call(client):
    client.post("/login", data={"name": "ann", "token": TOKEN, "next": "/ledger"})
    page = client.get(f"/ledger?start={night.DAY}&end={night.DAY}").get_data(as_text=True)
    assert "Ledger: ensemble, 2024-01-16 to 2024-01-16" in page
    assert "<strong>5</strong> calls, <strong>4</strong> settled (2 won, 1 lost, 1 pushed)" in page
    for title in ("By prop", "By book", "By edge bucket", "By month"):
        assert title in page
    assert "Ann Over" in page and "25.5 @ 1.91" in page and "void" in page
    assert client.get("/ledger?system=oracle").status_code == 400


def test_two_consoles_in_one_process_each_read_their_own_warehouse(client, tmp_path):
    """The routes are shared module-level functions: each request reads its own app's deps."""
    wh = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    wh.ensure_tables()
    empty = _app(tmp_path, wh, DirectoryStore(tmp_path / "objects")).test_client()
    try:
        for _ in range(2):
            assert len(client.get("/v1/ledger", headers=AUTH).get_json()["calls"]) == 6
            assert empty.get("/v1/ledger", headers=AUTH).status_code == 404
    finally:
        wh.close()
