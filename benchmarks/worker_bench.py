"""The worker alone, warm: requests/s and latency over real HTTP at several concurrencies
(every request predicts five props with six systems), and the peak memory of a worker
process with all ten models (five props x XGBoost, CatBoost) loaded."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests

from benchmarks.chain_bench import BUSIEST, prepared_home
from benchmarks.common import ROOT, open_batch
from shared.pubsub import encode_envelope

RPS_TARGET, RSS_TARGET_MB = 300, 600


class CountingPublisher:
    """Stands in for the bus so the worker is measured alone (our Publisher interface)."""

    def __init__(self):
        self.count = 0

    def publish(self, topic, message, attributes=None):
        self.count += 1
        return str(self.count)

    def publish_many(self, topic, messages, attributes=None):
        return [self.publish(topic, m) for m in messages]


def _envelopes(batch_id: str, players: list[int]) -> list[bytes]:
    out = []
    for i, p in enumerate(players):
        data = json.dumps({"batch_id": batch_id, "game_date": str(BUSIEST), "player_id": int(p)}).encode()
        out.append(json.dumps(encode_envelope(data, {}, f"m{i}", "2024-04-14T00:00:00Z", "s")).encode())
    return out


def _load(url: str, bodies: list[bytes], clients: int, seconds: float) -> tuple[int, list[float], int]:
    latencies, errors, stop = [], [0], time.monotonic() + seconds
    lock = threading.Lock()

    def client(offset: int):
        session = requests.Session()
        i = offset
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            resp = session.post(url, data=bodies[i % len(bodies)], headers={"Content-Type": "application/json"})
            took = time.perf_counter() - t0
            with lock:
                latencies.append(took)
                errors[0] += resp.status_code != 204
            i += clients

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors[0]


def run(data: Path, seconds: float = 5.0) -> None:
    from bin.stack import serve_loopback
    from processors.runner import nightly
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse
    from shared.config import Settings
    from worker.app import create_app
    from worker.main import build_deps

    with tempfile.TemporaryDirectory() as tmp:
        home = prepared_home(Path(tmp))
        wh = DuckDBWarehouse(home / "warehouse.duckdb")
        nightly(wh, None, BUSIEST)
        deps = build_deps(Settings(home=home), warehouse=wh, publisher=CountingPublisher())
        server = serve_loopback(create_app(deps))
        url = f"http://127.0.0.1:{server.server_port}/predict"
        players = sorted(deps.features.features(BUSIEST))
        bodies = _envelopes(open_batch(home / "objects", BUSIEST, players), players)
        _load(url, bodies, 4, 1.0)   # warm: models loaded, caches filled
        print(f"worker alone, warm, {len(bodies)} distinct players of {BUSIEST}, 6 systems per request")
        for clients in (1, 8, 32):
            n, lat, errors = _load(url, bodies, clients, seconds)
            ms = np.array(lat) * 1000
            print(f"  {clients:>2} clients: {n / seconds:7.1f} req/s  p50 {np.percentile(ms, 50):6.1f} ms  "
                  f"p99 {np.percentile(ms, 99):6.1f} ms  errors {errors}")
        server.shutdown()
        wh.close()
        if deps.publisher.count == 0:
            sys.exit("the worker predicted nothing: every request was refused")
        rss = subprocess.run([sys.executable, "-c", _RSS_PROBE, str(home)], capture_output=True, text=True,
                             cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    print(f"  target >= {RPS_TARGET} req/s per process")
    print(f"peak RSS of a worker process with all ten models loaded: {rss.stdout.strip()} MB "
          f"(target < {RSS_TARGET_MB} MB)" if rss.returncode == 0 else f"RSS probe failed: {rss.stderr[-500:]}")


_RSS_PROBE = """
import resource, sys
from pathlib import Path
from shared.adapters.directory_store import DirectoryStore
from shared.models.registry import Registry
from worker.model_provider import ModelProvider
m = ModelProvider(Registry(DirectoryStore(Path(sys.argv[1]) / "objects")))
from shared.catalogue import ML_SYSTEMS, PROP_NAMES
for prop in PROP_NAMES:
    for kind in ML_SYSTEMS:
        m.get(f"{prop}_{kind}", kind)
import worker.app, worker.service, flask
print(round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""
