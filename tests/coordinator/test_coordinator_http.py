"""The coordinator over HTTP (its Flask app on the embedded stack) and its stall handling."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coordinator.documents import FinalClaim
from coordinator.recovery import check_stalled
from coordinator.service import status
from processors.runner import nightly
from shared import cas, tables, topology
from shared.batch_docs import batch_key
from shared.catalogue import PROP_NAMES, ROWS_PER_PLAYER
from tests.support.stack import DAY

AUTH = {"Authorization": "Bearer test-token-0123456789"}


@pytest.fixture
def stack(make_stack):
    st = make_stack()
    nightly(st.warehouse, None, DAY)
    return st


@pytest.fixture
def client(stack):
    from coordinator.app import create_app
    from shared.auth import bearer

    return create_app(stack.coordinator, bearer("test-token-0123456789")).test_client()


@pytest.mark.parametrize("body, field", [
    ({"game_date": "2024-02-30"}, "game_date"),
    ({"game_date": "2024-01-16", "systems": ["astrology"]}, "systems"),
    ({"game_date": "2024-01-16", "players": [0]}, "players"),
    ({"game_date": "2024-01-16", "players": [1, 2]}, "players"),
    ({"game_date": "2024-01-16", "colour": "red"}, "colour"),
    ({"game_date": "2024-01-16", "lines": {"2544": 900}}, "lines"),
    ({"game_date": "2024-01-16", "lines": {"2544": {"steals": 1.5}}}, "lines"),
    ({"game_date": "2024-01-16", "lines": {"2544": {}}}, "lines"),
    ({"game_date": "2024-01-16", "props": ["points", "dunks"]}, "props"),
    ({"game_date": "2024-01-16", "props": []}, "props"),
    ({"game_date": "2024-07-15"}, "game_date"),
    ({"game_date": "2024-01-16", "availability": "rumour"}, "availability"),
])
def test_bad_start_bodies_are_400_naming_the_field(client, body, field):
    resp = client.post("/start", json=body, headers=AUTH)
    assert resp.status_code == 400 and resp.json["field"] == field, resp.json


def test_realised_availability_is_refused_to_a_serving_batch_and_starts_nothing(client, stack):
    """Realised availability reads the night's box scores: a backtest's, never /start's."""
    resp = client.post("/start", json={"game_date": "2024-01-16", "availability": "realised"}, headers=AUTH)
    assert resp.status_code == 400 and resp.json["field"] == "availability", resp.json
    assert "only backtests" in resp.json["error"]
    assert stack.coordinator.batches.dates() == []


@pytest.mark.parametrize("raw, key", [
    ('{"game_date": "2024-01-16", "game_date": "2024-01-17"}', "game_date"),
    ('{"game_date": "2024-01-16", "force": true, "force": false}', "force"),
    ('{"game_date": "2024-01-16", "props": ["points"], "systems": ["ensemble"], "props": ["rebounds"]}', "props"),
])
def test_a_key_given_twice_is_refused_naming_it_and_starts_nothing(client, stack, raw, key):
    resp = client.post("/start", data=raw, content_type="application/json", headers=AUTH)
    assert resp.status_code == 400 and resp.json["field"] == key, resp.json
    assert f"key '{key}' appears twice" in resp.json["error"]
    assert stack.coordinator.batches.dates() == []


def test_start_is_idempotent_per_date_unless_forced(client, stack):
    first = client.post("/start", json={"game_date": "2024-01-16"}, headers=AUTH)
    assert first.status_code == 202 and first.json["expected"] == 97
    again = client.post("/start", json={"game_date": "2024-01-16"}, headers=AUTH)
    assert again.status_code == 200 and again.json["batch_id"] == first.json["batch_id"] and again.json["existing"]
    forced = client.post("/start", json={"game_date": "2024-01-16", "force": True}, headers=AUTH)
    assert forced.status_code == 202 and forced.json["batch_id"] != first.json["batch_id"]
    assert len(stack.bus.messages(topology.PREDICTION_REQUEST)) == 2 * 97
    by_date = client.get("/status?game_date=2024-01-16", headers=AUTH).json
    assert by_date["batch_id"] == forced.json["batch_id"] and by_date["state"] == "running"


def test_status_leads_with_counts_and_lists_player_ids_only_when_asked(client, stack):
    started = client.post("/start", json={"game_date": "2024-01-16"}, headers=AUTH).json
    status = client.get("/status?game_date=2024-01-16", headers=AUTH)
    assert status.status_code == 200 and list(status.json)[:8] == [
        "batch_id", "game_date", "state", "expected", "completed", "skipped", "failed", "missing_count"]
    assert status.json["missing_count"] == started["expected"] == 97
    assert not {"missing", "skip_reasons", "fail_reasons"} & set(status.json)
    again = client.post("/start", json={"game_date": "2024-01-16"}, headers=AUTH)   # the existing batch, counted
    assert again.status_code == 200 and again.json["missing_count"] == 97 and "missing" not in again.json
    listed = client.get(f"/status?batch_id={started['batch_id']}&ids=1", headers=AUTH).json
    assert len(listed["missing"]) == 97 and listed["skip_reasons"] == {} and listed["missing_count"] == 97
    stack.bus.drain()
    done = client.get("/status?game_date=2024-01-16&ids=true", headers=AUTH).json
    assert done["state"] == "finished" and done["missing_count"] == 0 and done["missing"] == []
    assert sum(done["skipped_by_reason"].values()) == done["skipped"] == len(done["skip_reasons"])
    bad = client.get("/status?game_date=2024-01-16&ids=yes", headers=AUTH)
    assert bad.status_code == 400 and bad.json["field"] == "ids" and "'yes'" in bad.json["error"]


def test_manual_batch_carries_lines_and_a_player_subset(client, stack):
    players = stack.warehouse.read(tables.ML_FEATURE_STORE.fqn, DAY, DAY)["player_id"].head(3).tolist()
    resp = client.post("/start", json={"game_date": "2024-01-16", "players": players, "systems": ["xgboost"],
                                       "lines": {str(players[0]): 18.5}}, headers=AUTH)
    assert resp.status_code == 202 and resp.json["expected"] == 3
    sent = stack.bus.messages(topology.PREDICTION_REQUEST)
    assert sorted(m["player_id"] for m in sent) == sorted(players)
    assert {m["player_id"]: m["lines"] for m in sent}[players[0]]["points"]["line"] == 18.5   # a bare number: points
    stack.bus.drain()
    rows = stack.warehouse.read(tables.PREDICTIONS.fqn, *tables.EVERY_DATE)
    assert set(rows["system"]) == {"xgboost"} and set(rows["prop"]) == set(PROP_NAMES)
    assert len(rows) == 3 * len(PROP_NAMES)
    lined = rows[(rows.player_id == players[0]) & (rows.prop == "points")].iloc[0]
    assert lined["line"] == 18.5 and lined["recommendation"] in ("OVER", "UNDER", "PASS")
    assert 0 <= lined["p_over"] <= 1
    assert rows.loc[rows.prop != "points", "line"].isna().all()


def test_a_batch_predicts_the_props_asked_with_a_line_per_prop(client, stack):
    player = int(stack.warehouse.read(tables.ML_FEATURE_STORE.fqn, DAY, DAY)["player_id"].iloc[0])
    resp = client.post("/start", json={"game_date": "2024-01-16", "players": [player], "props": ["rebounds", "pra"],
                                       "lines": {str(player): {"rebounds": 6.5, "pra": 30.5}}}, headers=AUTH)
    assert resp.status_code == 202, resp.json
    unasked = client.post("/start", json={"game_date": "2024-01-16", "players": [player], "props": ["rebounds"],
                                          "force": True, "lines": {str(player): {"assists": 4.5}}}, headers=AUTH)
    assert unasked.status_code == 400 and unasked.json["field"] == "lines"
    stack.bus.drain()
    rows = stack.warehouse.read(tables.PREDICTIONS.fqn, *tables.EVERY_DATE)
    assert set(rows["prop"]) == {"rebounds", "pra"} and len(rows) == 2 * 6
    lines = rows.groupby("prop")["line"].agg(set)
    assert lines["rebounds"] == {6.5} and lines["pra"] == {30.5}
    by_prop = rows[rows.system == "ensemble"].set_index("prop")["predicted"]
    assert by_prop["pra"] > by_prop["rebounds"]      # PRA holds his rebounds and more


def test_credentials_are_required(client):
    assert client.post("/start", json={"game_date": "2024-01-16"}).status_code == 401
    assert client.post("/start", json={}, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post("/check-stalled", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/status?game_date=2024-01-16").status_code == 401


def test_status_errors(client):
    assert client.get("/status", headers=AUTH).status_code == 400
    assert client.get("/status?batch_id=../../etc", headers=AUTH).status_code == 400
    assert client.get("/status?batch_id=" + "a" * 32, headers=AUTH).status_code == 404
    assert client.get("/status?game_date=2024-01-16", headers=AUTH).status_code == 404


def test_a_stalled_batch_is_republished_once_then_finalised_with_what_it_has(client, stack):
    start = client.post("/start", json={"game_date": "2024-01-16"}, headers=AUTH).json
    batch_id = start["batch_id"]
    # only the first ten requests are delivered; the rest are lost
    lost = stack.bus.messages(topology.PREDICTION_REQUEST)[10:]
    with stack.bus._connect() as db:
        db.execute("UPDATE deliveries SET state='dead' WHERE rowid > 10 AND subscription LIKE 'prediction-request%'")
    stack.bus.drain()
    now = datetime.now(UTC)
    clock = iter([now, now + timedelta(minutes=11), now + timedelta(minutes=11), now + timedelta(minutes=40)])
    stack.coordinator.clock = lambda: next(clock)
    assert check_stalled(stack.coordinator) == {batch_id: "progressing"}
    assert check_stalled(stack.coordinator) == {batch_id: f"republished {len(lost)}"}
    with stack.bus._connect() as db:   # the re-published requests are lost too
        db.execute("UPDATE deliveries SET state='dead' WHERE state='pending'")
    stack.coordinator.clock = lambda: now + timedelta(minutes=40)
    assert check_stalled(stack.coordinator) == {batch_id: f"finalised without {len(lost)}"}
    result = status(stack.coordinator, batch_id)
    assert result["state"] == "finished" and result["completed"] == 10 and len(result["missing"]) == len(lost)
    assert len(stack.warehouse.read(tables.PREDICTIONS.fqn, *tables.EVERY_DATE)) == 10 * ROWS_PER_PLAYER
    assert check_stalled(stack.coordinator) == {}


def test_a_finaliser_that_died_after_claiming_is_taken_over_once_its_lease_runs_out(client, stack):
    batch_id = client.post("/start", json={"game_date": "2024-01-16"}, headers=AUTH).json["batch_id"]
    now = datetime.now(UTC)
    # a finaliser claimed the batch and was killed before consolidating
    stack.coordinator.batches.claim_final(batch_id, FinalClaim(state="claimed", claimed_at=now, token="x"))
    stack.bus.drain()
    assert status(stack.coordinator, batch_id)["state"] == "running"
    stack.coordinator.clock = lambda: now + timedelta(minutes=1)
    assert check_stalled(stack.coordinator) == {batch_id: "progressing"}   # a finaliser may be about to claim
    assert check_stalled(stack.coordinator) == {batch_id: "finalising"}
    stack.coordinator.clock = lambda: now + timedelta(minutes=6)
    assert check_stalled(stack.coordinator) == {batch_id: "finalised"}
    result = status(stack.coordinator, batch_id)
    assert result["state"] == "finished" and result["missing"] == []
    preds = stack.warehouse.read(tables.PREDICTIONS.fqn, *tables.EVERY_DATE)
    assert len(preds) == result["completed"] * ROWS_PER_PLAYER
    assert not preds.duplicated(["player_id", "system", "prop"]).any()
    assert check_stalled(stack.coordinator) == {}


def test_a_finaliser_that_died_between_its_last_two_writes_is_closed_by_the_next_call(client, stack):
    from coordinator.service import finalise

    batch_id = client.post("/start", json={"game_date": "2024-01-16"}, headers=AUTH).json["batch_id"]
    stack.bus.drain()
    stack.coordinator.batches.update_batch(batch_id, lambda d: setattr(d, "state", "running"))
    stack.coordinator.batches.set_running(batch_id, True)
    assert finalise(stack.coordinator, batch_id) is False
    assert status(stack.coordinator, batch_id)["state"] == "finished"
    assert check_stalled(stack.coordinator) == {}


def test_a_batch_records_the_injury_report_and_line_snapshot_its_requests_carry(client, stack):
    from coordinator.batches import describe
    from ingest.importer.injuries import import_injuries
    from ingest.importer.lines import import_lines
    from tests.conftest import SAMPLE
    from tests.support.cli import run

    import_injuries(stack.warehouse, SAMPLE.parent / "Injury-Report_2024-01-16_05PM.csv")   # 5 pm ET
    import_lines(stack.warehouse, SAMPLE.parent / "odds_2024-01-16.json")                  # books at 18:00Z
    stack.coordinator.clock = lambda: datetime(2024, 1, 16, 21, 0, tzinfo=UTC)              # 4 pm ET: no report yet
    early = client.post("/start", json={"game_date": "2024-01-16"}, headers=AUTH).json
    assert client.get(f"/status?batch_id={early['batch_id']}", headers=AUTH).json["inputs"] == {
        "injury_report_as_of": None, "injury_report_source": None,
        "lines_as_of": "2024-01-16T18:00:00Z", "lines_source": "odds_2024-01-16.json"}
    assert not [m for m in stack.bus.messages(topology.PREDICTION_REQUEST) if m["availability"]]

    stack.coordinator.clock = lambda: datetime(2024, 1, 16, 23, 0, tzinfo=UTC)              # 6 pm ET
    late = client.post("/start", json={"game_date": "2024-01-16", "force": True}, headers=AUTH).json
    inputs = client.get("/status?game_date=2024-01-16", headers=AUTH).json["inputs"]
    assert inputs["injury_report_as_of"] == "2024-01-16T22:00:00Z"
    assert inputs["injury_report_source"] == "Injury-Report_2024-01-16_05PM.csv"
    carried = [m for m in stack.bus.messages(topology.PREDICTION_REQUEST) if m["batch_id"] == late["batch_id"]]
    assert {m["availability"] for m in carried} >= {"Questionable"}          # the report it names is the one sent
    listed = run("batches", home=stack.settings.home)
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if late["batch_id"] in line)
    assert "2024-01-16 17:00 ET" in row and "2024-01-16 13:00 ET" in row                  # report and lines, in ET
    cas.update(stack.coordinator.batches.store, batch_key(late["batch_id"]), lambda doc: doc.pop("inputs"))   # older
    assert set(describe(stack.coordinator.batches, late["batch_id"])["inputs"].values()) == {None}


def test_deep_health_shows_each_feed_and_is_degraded_when_one_is_stale_or_failing(client, stack):
    from shared import freshness

    store, now = stack.coordinator.batches.store, datetime(2024, 1, 16, 23, 0, tzinfo=UTC)
    stack.coordinator.clock = lambda: now
    assert client.get("/health/deep").status_code == 401
    unfetched = client.get("/health/deep", headers=AUTH)
    assert unfetched.status_code == 200 and unfetched.json["status"] == "ok"    # files feed this night: never fetched
    assert {f: c["state"] for f, c in unfetched.json["checks"]["feeds"].items()} == dict.fromkeys(freshness.FEEDS,
                                                                                                    "never")
    freshness.record_success(store, "box_scores", now - timedelta(hours=12), 229, "2024-01-15", None)
    freshness.record_success(store, "schedule", now - timedelta(hours=12), 11, "2024-01-16", None)
    freshness.record_success(store, "injuries", now - timedelta(minutes=50), 7, "Injury-Report_2024-01-16_05PM", None)
    freshness.record_success(store, "lines", now - timedelta(minutes=80), 26, "2024-01-16: 3 events", None)
    assert client.get("/health/deep", headers=AUTH).json["status"] == "ok"

    freshness.record_success(store, "lines", now - timedelta(minutes=100), 26, "2024-01-16: 3 events", None)
    freshness.record_failure(store, "injuries", now - timedelta(minutes=5), "injuries: http://x/a.pdf: HTTP 500 after "
                                                                             "3 attempts", "http://x/a.pdf")
    deep = client.get("/health/deep", headers=AUTH)
    assert deep.status_code == 200 and deep.json["status"] == "degraded"
    feeds = deep.json["checks"]["feeds"]
    assert feeds["lines"] == {"state": "stale", "last_success_at": "2024-01-16T21:20:00+00:00", "age_s": 6000,
                              "max_age_s": 5400, "rows": 26, "last_error": None, "last_error_at": None}
    assert feeds["injuries"]["state"] == "failing" and feeds["injuries"]["age_s"] == 3000
    assert feeds["injuries"]["last_error"] == "injuries: http://x/a.pdf: HTTP 500 after 3 attempts"
    assert feeds["box_scores"]["state"] == feeds["schedule"]["state"] == "ok"
    assert deep.json["checks"]["warehouse"] == "ok"
