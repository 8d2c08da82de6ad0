"""The worker alone, as Cloud Run runs it (gunicorn, one process, 8 threads) on the embedded
default: its cold start (process start -> the first request answered, every model loaded
from the object store on that request), then requests/s and latency under wrk at 1, 8 and
32 connections (every request predicts five props with six systems), and the process's
peak memory. wrk is a separate process sharing the machine's two cores.

--profile: py-spy records the worker process during the 32-connection run; the time per
stage is printed and the flame graph written (benchmarks/profiling.py)."""
from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from benchmarks import profiling
from benchmarks.chain_bench import BUSIEST, prepared_home
from benchmarks.common import ROOT, open_batch
from benchmarks.load_bench import TOKEN, _env, _stop, wrk
from shared.pubsub import encode_envelope

RPS_TARGET, P50_TARGET_MS, RSS_TARGET_MB, COLD_TARGET_S = 300, 5.0, 600, 2.0
CLIENTS = (1, 8, 32)
SECONDS = 5
PROFILE_OUT = ROOT / "var" / "profiles" / "worker.speedscope.json"


def _bodies(batch_id: str, players: list[int]) -> list[str]:
    return [json.dumps(encode_envelope(json.dumps({"batch_id": batch_id, "game_date": str(BUSIEST),
                                                   "player_id": int(p)}).encode(), {}, f"m{i}",
                                       "2024-04-14T00:00:00Z", "bench")) for i, p in enumerate(players)]


def _prepare(tmp: Path) -> tuple[Path, list[int]]:
    from processors.runner import nightly
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse
    from shared.tables import ML_FEATURE_STORE

    home = prepared_home(tmp)
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    nightly(wh, None, BUSIEST)
    players = sorted(int(p) for p in wh.read(ML_FEATURE_STORE.fqn, BUSIEST, BUSIEST)["player_id"])
    wh.close()
    return home, players


def _serve(home: Path, port: int) -> tuple[subprocess.Popen, float]:
    """gunicorn with the Cloud Run command's settings; returns it and when it was started."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = open(home / "worker.log", "ab")   # noqa: SIM115 - the child keeps its copy of the descriptor
    started = time.perf_counter()
    proc = subprocess.Popen([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8",
                             "--timeout", "0", "worker.main:build_app()"], env=_env(home), stdout=log,
                            stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    log.close()
    return proc, started


def _listening(url: str, proc: subprocess.Popen, home: Path, deadline: float = 120) -> float:
    """When the worker first answers /health (polling a port a separate process is opening)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit(f"the worker exited: {(home / 'worker.log').read_text()[-2000:]}")
        try:
            if requests.get(url, timeout=60).status_code == 200:
                return time.perf_counter()
        except requests.ConnectionError:
            pass
        time.sleep(0.01)
    sys.exit("the worker did not listen within two minutes")


def _worker_pid(master: int) -> int:
    """gunicorn's worker process (the master's child): the one that loads the models."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(data: Path, profile: bool = False) -> None:
    from devsupport.emulators import free_port_run

    if shutil.which("wrk") is None:
        sys.exit("bin/bench worker needs wrk: apt-get install wrk")
    if profile and (why := profiling.available()):
        sys.exit(f"--profile: {why}")
    with tempfile.TemporaryDirectory() as tmp:
        home, players = _prepare(Path(tmp))
        bodies = _bodies(open_batch(home / "objects", BUSIEST, players), players)
        port = free_port_run(1)
        url = f"http://127.0.0.1:{port}/predict"
        proc, started = _serve(home, port)
        try:
            listening = _listening(url.replace("/predict", "/health"), proc, home)
            first = _timed_post(url, bodies[0])       # loads the ten models
            second = _timed_post(url, bodies[1])
            pid = _worker_pid(proc.pid)
            print(f"worker under gunicorn (--workers 1 --threads 8, the Cloud Run command), embedded default, "
                  f"{len(bodies)} distinct players of {BUSIEST}, 5 props x 6 systems per request")
            print(f"cold start: the first request (ten models loaded lazily from the object store) {first:.2f} s "
                  f"(target < {COLD_TARGET_S:.0f} s: {'met' if first < COLD_TARGET_S else 'MISSED'}); the second "
                  f"{second * 1000:.1f} ms; process start -> listening {listening - started:.2f} s")
            wrk(url, 4, 5, "POST", bodies)        # warm: caches filled, trees compiled in the background
            figures = {}
            for clients in CLIENTS:
                profiled = profile and clients == CLIENTS[-1]
                with profiling.recording(pid, PROFILE_OUT) if profiled else contextlib.nullcontext():
                    figures[clients] = r = wrk(url, clients, SECONDS, "POST", bodies)
                rps = r["requests"] / r["seconds"]
                print(f"  {clients:>2} connections: {rps:7.1f} req/s  p50 {r['p50'] / 1000:6.1f} ms  "
                      f"p99 {r['p99'] / 1000:6.1f} ms  errors {r['status_errors'] + r['socket_errors']}")
            rss = _peak_rss_mb(pid)
        finally:
            _stop(proc)
    top = figures[CLIENTS[-1]]["requests"] / figures[CLIENTS[-1]]["seconds"]
    p50 = figures[1]["p50"] / 1000
    print(f"  {CLIENTS[-1]} connections: {top:.0f} req/s against >= {RPS_TARGET} "
          f"({'met' if top >= RPS_TARGET else 'MISSED'}, {top / RPS_TARGET:.2f}x); one connection p50 {p50:.1f} ms "
          f"against < {P50_TARGET_MS:.0f} ms ({'met' if p50 < P50_TARGET_MS else 'MISSED'})")
    print(f"peak RSS of the worker process with all ten models loaded: {rss:.0f} MB (target < {RSS_TARGET_MB} MB: "
          f"{'met' if rss < RSS_TARGET_MB else 'MISSED'})")
    if profile:
        print(profiling.table(profiling.stages(PROFILE_OUT), f"worker at {CLIENTS[-1]} connections"))
        print(f"flame graph: {PROFILE_OUT} (speedscope)")


def _timed_post(url: str, body: str) -> float:
    t0 = time.perf_counter()
    resp = requests.post(url, data=body, headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {TOKEN}"}, timeout=120)
    took = time.perf_counter() - t0
    if resp.status_code != 204:
        sys.exit(f"the worker answered {resp.status_code}: {resp.text[:500]}")
    return took

