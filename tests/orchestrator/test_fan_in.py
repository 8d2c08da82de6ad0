"""The real functions-framework app, real CloudEvents, a real HTTP coordinator."""
from __future__ import annotations

import logging
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from orchestrator import state as st
from tests.orchestrator.conftest import ALL, DAY, completion, post_binary, post_structured
from tests.support.fake_coordinator import FakeCoordinator


def test_all_five_successes_trigger_start_once_with_bearer_token(wire, app):
    with FakeCoordinator() as coord:
        orch = wire(coord.url)
        client = app.test_client()
        for i, p in enumerate(ALL):
            post = post_binary if i % 2 else post_structured
            assert post(client, completion(p)).status_code == 200
    assert coord.calls == [{"game_date": "2024-01-15", "correlation_id": coord.calls[0]["correlation_id"]}]
    assert coord.headers[0]["Authorization"] == "Bearer local-token"
    s, _ = st.load(orch.store, DAY)
    assert s.trigger.state == "triggered" and s.trigger.batch_id == "batch-2024-01-15"


@pytest.mark.parametrize("backend", ["directory", pytest.param("gcs", marks=pytest.mark.emulator)])
def test_concurrent_shuffled_redeliveries_start_exactly_once(wire, app, backend, request):
    store = None
    if backend == "gcs":
        from shared.adapters.gcs_store import GCSStore

        client = request.getfixturevalue("gcs_client")
        bucket = f"orch-{uuid.uuid4().hex[:10]}"
        client.create_bucket(bucket)
        store = GCSStore(bucket, client=client)
    deliveries = [(p, f"msg-{p}") for p in ALL for _ in range(3)]
    random.Random(7).shuffle(deliveries)
    with FakeCoordinator() as coord:
        orch = wire(coord.url, store=store)
        def deliver(item):
            processor, message_id = item
            return post_binary(app.test_client(), completion(processor), event_id=message_id).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(deliver, deliveries))
    assert statuses == [200] * 15
    assert len(coord.calls) == 1
    s, _ = st.load(orch.store, DAY)
    assert s.trigger.state == "triggered" and len(s.history) == 5


def test_start_failing_then_succeeding_is_retried_and_triggers_once(wire, app):
    with FakeCoordinator(statuses=[500]) as coord:
        orch = wire(coord.url)
        client = app.test_client()
        for p in ALL[:-1]:
            assert post_binary(client, completion(p)).status_code == 200
        last = completion(ALL[-1])
        assert post_binary(client, last, event_id="m-last").status_code == 500   # Pub/Sub will retry
        s, _ = st.load(orch.store, DAY)
        assert s.trigger.state == "pending" and "500" in s.trigger.last_error
        assert post_binary(client, last, event_id="m-last").status_code == 200   # the redelivery
        assert post_binary(client, last, event_id="m-last").status_code == 200   # and a stray duplicate
    assert len(coord.calls) == 2
    s, _ = st.load(orch.store, DAY)
    assert s.trigger.state == "triggered" and s.trigger.attempts == 2


@pytest.mark.parametrize("data", [b"not json", b'{"processor": "mystery", "game_date": "2024-01-15"}',
                                  completion("ml_feature_store").model_dump_json().replace(
                                      "2024-01-15", "2024-02-31").encode()], ids=["not-json", "unknown", "bad-date"])
def test_malformed_events_are_acked_and_logged(wire, app, data, caplog):
    with FakeCoordinator() as coord:
        orch = wire(coord.url)
        with caplog.at_level(logging.ERROR):
            assert post_binary(app.test_client(), data).status_code == 200
    assert any(r.levelname == "ERROR" and "malformed" in r.getMessage() for r in caplog.records)
    assert orch.store.list(st.PREFIX) == [] and coord.calls == []


def test_failures_are_recorded_but_do_not_count_and_duplicates_change_nothing(wire, app):
    with FakeCoordinator() as coord:
        orch = wire(coord.url)
        client = app.test_client()
        for p in ALL[:-1]:
            post_binary(client, completion(p))
        post_binary(client, completion(ALL[-1], status="failed", run_id="r-bad", error="boom"))
        s1, g1 = st.load(orch.store, DAY)
        post_binary(client, completion(ALL[-1], status="failed", run_id="r-bad", error="boom"))
        s2, g2 = st.load(orch.store, DAY)
        assert coord.calls == [] and s1 == s2 and g1 == g2
        assert s2.processors[ALL[-1]].error == "boom"
        post_binary(client, completion(ALL[-1], run_id="r-good"))
        assert len(coord.calls) == 1
        post_binary(client, completion(ALL[0], run_id="r-rerun"))     # a rerun after the trigger
    assert len(coord.calls) == 1
    s, _ = st.load(orch.store, DAY)
    assert [h.run_id for h in s.history][-1] == "r-rerun"


def test_events_older_than_the_maximum_age_are_dropped(wire, app, caplog):
    old = (datetime.now(UTC) - timedelta(hours=7)).isoformat().replace("+00:00", "Z")
    with FakeCoordinator() as coord:
        orch = wire(coord.url, max_event_age_s=6 * 3600)
        with caplog.at_level(logging.WARNING):
            assert post_binary(app.test_client(), completion(ALL[0]), time=old).status_code == 200
    assert orch.store.list(st.PREFIX) == []
    assert any("older than" in r.getMessage() for r in caplog.records)
