"""bin/bench load: wrk against the worker and the coordinator under gunicorn (their Cloud Run
command) on loopback, at 1, 8 and 32 connections for a bounded time each; then the
coordinator's /status hammered while a real batch runs on `bin/pipeline serve`.
Prints throughput, error rate and p50/p95/p99. wrk shares the machine's cores."""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from benchmarks.chain_bench import BUSIEST, prepared_home
from benchmarks.common import ROOT, open_batch
from shared.pubsub import encode_envelope

TOKEN = "bench-token-0123456789"
SECONDS = 5
CLIENTS = (1, 8, 32)
LUA = """
wrk.method = "%(method)s"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
local bodies = { %(bodies)s }
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i %% #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "status_errors": %%d, "socket_errors": %%d, '
    .. '"p50": %%d, "p95": %%d, "p99": %%d}\\n', summary.requests, summary.duration / 1e6, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def _env(home: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN,
            "PIPELINE_LOG_LEVEL": "WARNING"}


def _start(argv: list[str], home: Path, port: int) -> subprocess.Popen:
    from devsupport.emulators import wait_for_port

    log = home / "server.log"
    with open(log, "ab") as out:   # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(argv, env=_env(home), stdout=out, stderr=subprocess.STDOUT,
                                cwd=ROOT, start_new_session=True)
    wait_for_port(port, proc, 120, log, argv[0])
    return proc


def _gunicorn(app: str, home: Path, port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return _start([str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8",
                   "--timeout", "0", app], home, port)


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=60)


def wrk(url: str, clients: int, seconds: float, method: str = "GET", bodies: list[str] | None = None) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % {"method": method, "token": TOKEN,
                        "bodies": ", ".join(f"[==[{b}]==]" for b in (bodies or [""]))})
    try:
        out = subprocess.run(["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{seconds}s",
                              "--timeout", "30s", "-s", fh.name, url], capture_output=True, text=True,
                             timeout=seconds + 60)
    finally:
        os.unlink(fh.name)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    return json.loads(line[len("RESULT "):])


def row(label: str, clients: int, r: dict) -> str:
    errors = r["status_errors"] + r["socket_errors"]
    return (f"| {label} | {clients} | {r['requests'] / r['seconds']:.0f} | {100 * errors / max(r['requests'], 1):.1f}% "
            f"| {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} | {r['p99'] / 1000:.1f} |")


def prepare(tmp: Path) -> Path:
    """A home with the sample imported, the busiest date processed and its batch finished."""
    from bin import stack as local
    from processors.runner import nightly
    from shared.config import Settings

    home = prepared_home(tmp)
    st = local.start(Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN}),
                     start_dispatcher=False)
    try:
        nightly(st.warehouse, st.bus, BUSIEST)
        st.bus.drain()
        players = sorted(st.worker.features.features(BUSIEST))
    finally:
        st.stop()
    (home / "players.json").write_text(json.dumps([int(p) for p in players]))
    return home


def run(data: Path) -> None:
    from devsupport.emulators import free_port_run

    if shutil.which("wrk") is None:
        sys.exit("bin/bench load needs wrk: apt-get install wrk")
    logging.getLogger().setLevel(logging.ERROR)   # the preparation's bundled-model notices
    print(f"wrk, {SECONDS} s per level, gunicorn --workers 1 --threads 8 (the Cloud Run command), "
          f"embedded default, {BUSIEST}")
    print("| target | connections | req/s | errors | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        base = prepare(Path(tmp))
        players = json.loads((base / "players.json").read_text())
        batch_id = open_batch(base / "objects", BUSIEST, players)
        bodies = [json.dumps(encode_envelope(json.dumps({"batch_id": batch_id, "game_date": str(BUSIEST),
                                                         "player_id": p}).encode(), {}, f"m{i}",
                                             "2024-04-14T00:00:00Z", "load")) for i, p in enumerate(players)]
        for k, (app, target, method, path, payload) in enumerate((
                ("worker.main:build_app()", "worker POST /predict", "POST", "/predict", bodies),
                ("coordinator.main:build_app()", "coordinator GET /status", "GET",
                 f"/status?game_date={BUSIEST}", None),
                ("coordinator.main:build_app()", "coordinator POST /start (existing)", "POST", "/start",
                 [json.dumps({"game_date": str(BUSIEST)})]))):
            home = Path(tmp) / f"gunicorn-{k}"
            shutil.copytree(base, home)
            port = free_port_run(1)
            proc = _gunicorn(app, home, port)
            try:
                wrk(f"http://127.0.0.1:{port}{path}", 4, 1, method, payload)      # warm: models, caches
                for clients in CLIENTS:
                    print(row(target, clients, wrk(f"http://127.0.0.1:{port}{path}", clients, SECONDS, method,
                                                   payload)), flush=True)
            finally:
                _stop(proc)
        status_during_batch(base, Path(tmp))


def _batch_seconds(url: str, load=None) -> tuple[float, dict | None]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    t0 = time.perf_counter()
    started = requests.post(f"{url}/start", json={"game_date": str(BUSIEST), "force": True}, headers=headers,
                            timeout=60).json()
    figures = load() if load else None
    while requests.get(f"{url}/status", params={"batch_id": started["batch_id"]}, headers=headers,
                       timeout=60).json()["state"] != "finished":
        time.sleep(0.05)   # polling a live server's status
    return time.perf_counter() - t0, figures


def status_during_batch(base: Path, tmp: Path) -> None:
    from devsupport.emulators import free_port_run

    home = tmp / "serve"
    shutil.copytree(base, home)
    port = free_port_run(3)
    proc = _start([str(ROOT / "bin" / "pipeline"), "serve", "--port", str(port), "--no-timetable"], home, port)
    url = f"http://127.0.0.1:{port}"
    try:
        quiet, _ = _batch_seconds(url)
        busy, figures = _batch_seconds(url, lambda: wrk(f"{url}/status?game_date={BUSIEST}", 8, 3))
    finally:
        _stop(proc)
    print(row(f"coordinator GET /status during a {BUSIEST} batch (`bin/pipeline serve`)", 8, figures))
    print(f"\nthe batch ({len(json.loads((base / 'players.json').read_text()))} players) took {quiet:.1f} s alone "
          f"and {busy:.1f} s with /status under load ({busy / quiet:.2f}x)")
