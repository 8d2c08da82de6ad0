"""Hostile bodies and careless operators against the served stack over real HTTP: every
case of "round two" answers a clear 4xx (or, on a push endpoint, a counted 204) and never a
5xx, stages nothing that is not its batch's, and shows no internal path."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import requests

from coordinator.recovery import check_stalled
from shared import staging
from shared.catalogue import ROWS_PER_PLAYER
from tests.support.stack import DAY

pytestmark = pytest.mark.e2e
TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEEP = "[" * 1000 + "]" * 1000


def envelope(payload) -> dict:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return {"message": {"data": base64.b64encode(data).decode(), "messageId": "m-1"}, "subscription": "s"}


def push_outcomes(url: str) -> dict[str, float]:
    text = requests.get(f"{url}/metrics", headers=AUTH, timeout=10).text
    return {line.split('outcome="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line.startswith("pipeline_push_messages_total{")}


@pytest.fixture
def served(make_stack):
    from processors.runner import nightly

    st = make_stack()
    nightly(st.warehouse, None, DAY)   # features only: no events, so nothing starts on its own
    return st


def test_a_body_nested_a_thousand_deep_is_a_400_on_start_and_poison_on_every_push_endpoint(served):
    st = served
    start = requests.post(f"{st.urls['coordinator']}/start", data=DEEP, timeout=10,
                          headers={**AUTH, "Content-Type": "application/json"})
    assert start.status_code == 400 and start.json()["field"] == "<body>"
    assert "nests deeper than 20 levels" in start.json()["error"]
    nested = {"game_date": str(DAY), "players": [[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]}
    assert requests.post(f"{st.urls['coordinator']}/start", json=nested, headers=AUTH, timeout=10).status_code == 400
    for service, path in (("worker", "/predict"), ("coordinator", "/complete")):
        before = push_outcomes(st.urls[service])["poison"]
        for body in (envelope(DEEP.encode()), {"message": json.loads("[" * 15 + "]" * 15)}, DEEP):
            resp = requests.post(st.urls[service] + path, data=body if isinstance(body, str) else json.dumps(body),
                                 headers={**AUTH, "Content-Type": "application/json"}, timeout=10)
            assert resp.status_code == 204, (path, resp.text)
        assert push_outcomes(st.urls[service])["poison"] == before + 3
    cloud_event = {"ce-id": "1", "ce-specversion": "1.0", "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
                   "ce-source": "//pubsub.googleapis.com/projects/p/topics/precompute-complete",
                   "Content-Type": "application/json"}
    for body in (json.dumps(envelope(DEEP.encode())), DEEP):   # deep inside data; deep before the framework parses
        event = requests.post(st.urls["orchestrator"], data=body, timeout=10, headers={**AUTH, **cloud_event})
        assert event.status_code == 200, event.text
        assert requests.post(st.urls["orchestrator"], data=body, timeout=10, headers=cloud_event).status_code == 401


@pytest.mark.parametrize("batch_id", ["zzz", "../../x", "a" * 32 + "\n", "A" * 32])
def test_a_completion_with_a_batch_id_that_is_no_id_is_acked_as_poison(served, batch_id):
    st = served
    before = push_outcomes(st.urls["coordinator"])["poison"]
    resp = requests.post(f"{st.urls['coordinator']}/complete", headers=AUTH, timeout=10, json=envelope(
        {"batch_id": batch_id, "game_date": str(DAY), "player_id": 1, "status": "completed"}))
    assert resp.status_code == 204
    assert push_outcomes(st.urls["coordinator"])["poison"] == before + 1


def test_status_refuses_an_id_with_an_encoded_newline_without_showing_a_key(served):
    resp = requests.get(f"{served.urls['coordinator']}/status?batch_id={'a' * 32}%0a", headers=AUTH, timeout=10)
    assert resp.status_code == 400 and resp.json()["field"] == "batch_id"
    assert "batches/" not in resp.text and "objects" not in resp.text


def _forge(st, batch_id: str, day, player: int) -> int:
    return requests.post(f"{st.urls['worker']}/predict", headers=AUTH, timeout=30, json=envelope(
        {"batch_id": batch_id, "game_date": str(day), "player_id": player})).status_code


def test_the_worker_stages_nothing_for_a_request_outside_a_running_batch(served):
    st = served
    started = requests.post(f"{st.urls['coordinator']}/start", json={"game_date": str(DAY)}, headers=AUTH,
                            timeout=30).json()
    batch, players = started["batch_id"], st.coordinator.batches.batch(started["batch_id"])[0].players
    outsider = next(p for p in range(1, 10**6) if p not in players)
    assert _forge(st, "f" * 32, DAY, players[0]) == 204                   # no such batch
    assert _forge(st, batch, DAY - timedelta(days=2), players[0]) == 204  # the batch's id, another date
    assert _forge(st, batch, DAY, outsider) == 204                        # a player not in the batch
    assert st.store.list("staging/") == []
    assert _forge(st, batch, DAY, players[0]) == 204                      # the real request is served
    assert len(staging.read(st.store, batch)) == ROWS_PER_PLAYER
    st.bus.drain()
    assert st.coordinator.batches.batch(batch)[0].state == "finished"


def test_the_stall_check_sweeps_staged_objects_no_batch_will_read(served):
    st = served
    started = requests.post(f"{st.urls['coordinator']}/start", json={"game_date": str(DAY)}, headers=AUTH,
                            timeout=30).json()
    st.bus.drain()
    rows = staging.read(st.store, started["batch_id"])
    assert rows.empty   # finalisation cleared them
    late = st.coordinator.batches.store
    for batch_id in (started["batch_id"], "e" * 32):   # a late delivery of a finished batch; an id of no batch
        late.write(f"staging/{batch_id}/late.parquet", b"rows", if_generation_match=0)
    actions = check_stalled(st.coordinator)
    assert actions == {started["batch_id"]: "swept 1 staged objects", "e" * 32: "swept 1 staged objects"}
    assert st.store.list("staging/") == []
    metrics = requests.get(f"{st.urls['coordinator']}/metrics", headers=AUTH, timeout=10).text
    assert "pipeline_staging_objects_swept_total 2.0" in metrics


@pytest.mark.parametrize("body, field", [
    ({"game_date": "2024-01-16T00:00"}, "game_date"), ({"game_date": 1705276800}, "game_date"),
    ({"game_date": 0}, "game_date"), ({"game_date": "2024-1-16"}, "game_date"),
    ({"game_date": "20240116"}, "game_date"), ({"game_date": "2024-W03-2"}, "game_date"),
    ({"players": ["2544"]}, "players"), ({"players": [True]}, "players"), ({"force": "yes"}, "force"),
    ({"force": 1}, "force"), ({"lines": {" 2544": 24.5}}, "lines"), ({"lines": {"+2544": 24.5}}, "lines"),
    ({"lines": {"2544": 10, "02544": 30}}, "lines"), ({"lines": {"2544": "24.5"}}, "lines"),
])
def test_start_refuses_what_its_published_schema_forbids(served, body, field):
    resp = requests.post(f"{served.urls['coordinator']}/start", json={"game_date": str(DAY), **body}, headers=AUTH,
                         timeout=10)
    assert resp.status_code == 400, resp.text
    assert resp.json()["field"] == field
    assert served.coordinator.batches.dates() == []


@pytest.mark.parametrize("query", ["game_date=2024-01-16T00:00", "game_date=1705276800", "game_date=2024-1-16",
                                   "game_date=20240116", "game_date=2024-W03-2"])
def test_status_parses_dates_as_start_does(served, query):
    resp = requests.get(f"{served.urls['coordinator']}/status?{query}", headers=AUTH, timeout=10)
    assert resp.status_code == 400 and resp.json()["field"] == "game_date"


def test_what_flask_refuses_is_answered_in_json(served):
    url = served.urls["coordinator"]
    cases = [(requests.get(f"{url}/nowhere", headers=AUTH, timeout=10), 404),
             (requests.get(f"{url}/start", headers=AUTH, timeout=10), 405),
             (requests.post(f"{url}/start", data=b" " * 1_000_001, timeout=10,
                            headers={**AUTH, "Content-Type": "application/json"}), 413),
             (requests.post(f"{url}/start", data=json.dumps({"game_date": str(DAY)}), timeout=10,
                            headers={**AUTH, "Content-Type": "text/plain"}), 415)]
    for resp, code in cases:
        assert resp.status_code == code and resp.headers["Content-Type"] == "application/json", resp.text
        assert resp.json()["error"]
    assert cases[1][0].headers["Allow"]
    big = requests.post(f"{served.urls['worker']}/predict", data=b" " * 1_000_001, timeout=10,
                        headers={**AUTH, "Content-Type": "application/json"})
    assert big.status_code == 204   # a push over the limit is poison, not a 413 Pub/Sub would redeliver


@pytest.mark.parametrize("service, path", [("coordinator", "/metrics"), ("coordinator", "/openapi.json"),
                                           ("worker", "/metrics"), ("worker", "/openapi.json"),
                                           ("worker", "/health/deep"), ("coordinator", "/nowhere")])
def test_operational_endpoints_want_the_same_credentials(served, service, path):
    url = served.urls[service] + path
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer wrong-token-0123456789"}, timeout=10).status_code == 401
    assert requests.get(url, headers=AUTH, timeout=30).status_code == (404 if path == "/nowhere" else 200)
    assert requests.get(served.urls[service] + "/health", timeout=10).status_code == 200


def test_a_configured_scraper_token_opens_metrics_only(sample_db, tmp_path):
    import shutil

    from bin import stack as local
    from shared.config import Settings

    shutil.copy(sample_db, tmp_path / "warehouse.duckdb")
    scraper = {"Authorization": "Bearer scraper-token-0123456789"}
    st = local.start(Settings.from_env({"PIPELINE_HOME": str(tmp_path), "PIPELINE_AUTH_TOKEN": TOKEN,
                                        "PIPELINE_METRICS_TOKEN": "scraper-token-0123456789"}),
                     start_dispatcher=False)
    try:
        for service in ("coordinator", "worker"):
            assert requests.get(st.urls[service] + "/metrics", headers=scraper, timeout=10).status_code == 200
            assert requests.get(st.urls[service] + "/openapi.json", headers=scraper, timeout=10).status_code == 401
        assert requests.post(st.urls["coordinator"] + "/start", json={}, headers=scraper,
                             timeout=10).status_code == 401
    finally:
        st.stop()
