"""The production topology on one machine: the GCP adapters with the real clients, the
official Pub/Sub emulator with push subscriptions from shared/topology.py, fake-gcs-server
for the registry and state, bqemulator for the warehouse, coordinator and worker under
gunicorn, the orchestrator under functions-framework. Processors publish for a real date;
the test polls until the predictions table holds one row per (player, system)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
import warnings
from datetime import date
from pathlib import Path

import pytest
import requests

from devsupport.emulators import free_port, wait_for_port
from shared import tables
from shared.catalogue import ROWS_PER_PLAYER
from tests.conftest import BQ_PROJECT, ROOT, SAMPLE

pytestmark = [pytest.mark.emulator, pytest.mark.e2e]
DAY = date(2023, 12, 7)
SYSTEMS = ROWS_PER_PLAYER   # rows per predicted player


GUNICORN_CONFIG = str(ROOT / "devsupport" / "emulator_gunicorn.py")


def _spawn(argv: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    fh = open(log, "wb")
    proc = subprocess.Popen(argv, env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    wait_for_port(port, proc, 60, log, argv[0])
    return proc


@pytest.fixture
def topology_env(pubsub_emulator, gcs_emulator, bq_emulator, bq_client, gcs_client, tmp_path):
    bucket = f"pipeline-{uuid.uuid4().hex[:8]}"
    gcs_client.create_bucket(bucket)
    bin_dir = Path(sys.executable).parent
    ports = {"coordinator": free_port(), "worker": free_port(), "orchestrator": free_port()}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PIPELINE_BACKEND": "gcp", "GCP_PROJECT": BQ_PROJECT,
           "GCS_BUCKET": bucket, "BIGQUERY_API_ENDPOINT": f"http://{bq_emulator.address}",
           "PUBSUB_EMULATOR_HOST": pubsub_emulator.address, "STORAGE_EMULATOR_HOST": f"http://{gcs_emulator.address}",
           "PIPELINE_AUTH": "off",   # the Pub/Sub emulator does not sign push requests
           "COORDINATOR_URL": f"http://127.0.0.1:{ports['coordinator']}"}
    procs = []
    try:
        for service in ("coordinator", "worker"):
            procs.append(_spawn([str(bin_dir / "gunicorn"), "--config", GUNICORN_CONFIG,
                                 "--bind", f"127.0.0.1:{ports[service]}", f"{service}.main:build_app()"], env,
                                ports[service], tmp_path / f"{service}.log"))
        procs.append(_spawn([str(bin_dir / "functions-framework"), "--source", str(ROOT / "orchestrator" / "main.py"),
                             "--target", "on_precompute_complete", "--signature-type", "cloudevent", "--host",
                             "127.0.0.1", "--port", str(ports["orchestrator"])], env, ports["orchestrator"],
                            tmp_path / "orchestrator.log"))
        yield {"bucket": bucket, "urls": {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}, "logs": tmp_path}
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)


@pytest.fixture
def pubsub_topology(pubsub_emulator, topology_env):
    """Creates the push subscriptions (and pull taps on the announcement and dead-letter
    topics to count them) and deletes them all afterwards, so runs do not share them."""
    from google.cloud import pubsub_v1

    from shared import topology
    from shared.adapters.pubsub_publisher import ensure_topology

    publisher, subscriber = pubsub_v1.PublisherClient(), pubsub_v1.SubscriberClient()
    made = []

    def make(copies: int) -> dict[str, str]:
        subs = topology.SUBSCRIPTIONS if copies == 1 else topology.replicated(copies)
        created = ensure_topology(BQ_PROJECT, topology_env["urls"], publisher, subscriber, subscriptions=subs)
        made.extend(c.split(" ", 1)[1] for c in created if c.startswith("subscription "))
        taps = {}
        for topic in (topology.PREDICTIONS_COMPLETE, *topology.DEAD_LETTER_TOPICS):
            name = f"tap-{topic}-{uuid.uuid4().hex[:6]}"
            subscriber.create_subscription(name=subscriber.subscription_path(BQ_PROJECT, name),
                                           topic=publisher.topic_path(BQ_PROJECT, topic))
            made.append(name)
            taps[topic] = subscriber.subscription_path(BQ_PROJECT, name)
        return taps

    yield make, subscriber
    for name in made:
        subscriber.delete_subscription(subscription=subscriber.subscription_path(BQ_PROJECT, name))


def _count(subscriber, path: str) -> int:
    pulled = subscriber.pull(subscription=path, max_messages=1000, return_immediately=True, timeout=10)
    return len(pulled.received_messages)


@pytest.mark.parametrize("copies", [1, 3], ids=["once", "every-message-3x"])
def test_processor_events_flow_through_the_emulator_topology_into_predictions(topology_env, pubsub_topology, copies,
                                                                              bq_client, gcs_client):
    from ingest.importer import import_files
    from processors.runner import nightly
    from shared import topology
    from shared.adapters.bigquery_warehouse import BigQueryWarehouse
    from shared.adapters.pubsub_publisher import PubSubPublisher

    warnings.filterwarnings("ignore", category=FutureWarning)
    wh = BigQueryWarehouse(BQ_PROJECT, client=bq_client)
    wh.ensure_tables()
    for t in tables.CATALOG.values():
        wh.query(f"DELETE FROM {t.fqn} WHERE TRUE")
    import_files(wh, [SAMPLE])
    make_topology, subscriber = pubsub_topology
    taps = make_topology(copies)
    events = nightly(wh, PubSubPublisher(BQ_PROJECT), DAY)
    assert [e.status for e in events] == ["success"] * 5
    players = len(wh.read(tables.ML_FEATURE_STORE.fqn, DAY, DAY, columns=["player_id"]))
    assert players > 20
    coordinator = topology_env["urls"]["coordinator"]
    deadline, status = time.monotonic() + float(os.environ.get("E2E_WAIT_S", "240")), None
    while time.monotonic() < deadline:
        resp = requests.get(f"{coordinator}/status", params={"game_date": str(DAY)}, timeout=10)
        status = resp.json() if resp.status_code == 200 else None
        if status and status["state"] == "finished":
            break
        time.sleep(0.5)   # polling the coordinator's status, bounded by the deadline above
    logs = {p.name: p.read_text()[-1500:] for p in topology_env["logs"].glob("*.log")}
    assert status and status["state"] == "finished", (status, logs)
    assert status["expected"] == players and status["completed"] + status["skipped"] == players
    rows = wh.read(tables.PREDICTIONS.fqn, DAY, DAY)
    assert len(rows) == status["completed"] * SYSTEMS
    assert not rows.duplicated(["player_id", "system", "prop"]).any()
    assert set(rows.loc[rows.system == "xgboost", "model_source"]) == {"bundled"}
    final = gcs_client.bucket(topology_env["bucket"]).blob(f"batches/{status['batch_id']}/final.json")
    assert b'"finalized"' in final.download_as_bytes()
    assert _count(subscriber, taps[topology.PREDICTIONS_COMPLETE]) == 1
    assert sum(_count(subscriber, taps[t]) for t in topology.DEAD_LETTER_TOPICS) == 0
    # one line bin/bench faults reads into its table
    print("FAULT-ROW " + json.dumps({"copies": copies, "expected": status["completed"] * SYSTEMS, "written": len(rows),
                                     "duplicates": int(rows.duplicated(["player_id", "system", "prop"]).sum()),
                                     "lost": status["missing_count"], "dead_lettered": 0}))
