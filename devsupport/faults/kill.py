"""The serving process killed with SIGKILL mid-batch and started again: the durable bus
and the batch state must finish the batch with nothing lost and nothing doubled."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

from devsupport import ROOT
from devsupport.emulators import free_port_run, wait_for_port
from devsupport.faults.harness import NOISE, SYSTEMS, TOKEN, Row, Workspace, duplicates, summarise
from shared import tables

KILL_AT = 10   # the serving process kills itself after this many players reported (shared/failpoints.py)


def _serve(home, port: int, log, failpoint: str | None = None) -> subprocess.Popen:
    # a short finaliser lease and a 1 s stall check, so a finaliser killed after claiming is taken over quickly
    env = {**os.environ, "PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN,
           "COORDINATOR_FINALISE_LEASE_S": "5"}
    env.pop("PIPELINE_FAILPOINT", None)
    if failpoint:
        env["PIPELINE_FAILPOINT"] = failpoint
    proc = subprocess.Popen([str(ROOT / "bin" / "pipeline"), "serve", "--port", str(port),
                             "--stall-check-seconds", "1", "--no-timetable"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(port, proc, 60, home / "serve.log", "serve")
    return proc


def _poll(url: str, params: dict, until, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {TOKEN}"}
    while time.monotonic() < deadline:
        resp = requests.get(url, params=params, headers=headers, timeout=10)
        if resp.status_code == 200 and until(resp.json()):
            return resp.json()
        time.sleep(0.05)   # polling a live server's status, bounded by the deadline
    raise TimeoutError(f"{url} {params}: condition not reached in {timeout}s")


def sigkill_mid_batch(ws: Workspace) -> Row:
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    home, day = ws.home(), ws.days[0]
    port = free_port_run(3)   # serve takes port, port + 1 and port + 2
    with open(home / "serve.log", "ab") as log:
        proc = _serve(home, port, log, failpoint=f"coordinator.marked:{KILL_AT}")
        url = f"http://127.0.0.1:{port}"
        started = requests.post(f"{url}/start", json={"game_date": str(day)},
                                headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).json()
        # it kills itself right after the KILL_AT-th completion marker, mid-batch by construction
        if proc.wait(timeout=300) != -signal.SIGKILL:
            raise RuntimeError(f"serve exited with {proc.returncode} instead of being killed at its failpoint")
        proc = _serve(home, port, log)
        try:
            final = _poll(f"{url}/status", {"batch_id": started["batch_id"]}, lambda s: s["state"] == "finished", 120)
        except TimeoutError as exc:
            kept = Path(tempfile.gettempdir()) / "faults-sigkill-serve.log"
            shutil.copy(home / "serve.log", kept)
            raise TimeoutError(f"{exc}; the serving log is kept at {kept}") from None
        proc.terminate()
        proc.wait(timeout=30)
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    preds = wh.read(tables.PREDICTIONS.fqn, *tables.EVERY_DATE)
    wh.close()
    return Row("serving process SIGKILLed mid-batch, restarted", 1, "1/1", final["completed"] * SYSTEMS,
               len(preds), duplicates(preds), final["missing_count"], 0,
               f"killed at {KILL_AT}/{started['expected']} players", _logged(home / "serve.log"))


def _logged(path: Path) -> str:
    """The serving process's WARNING-or-worse records (its JSON log), as the table shows them."""
    counts: Counter = Counter()
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            rec = json.loads(line)
            if rec["severity"] in ("WARNING", "ERROR", "CRITICAL") and rec.get("logger") not in NOISE:
                counts[(rec["severity"], rec.get("logger"))] += 1
    return summarise(counts)
