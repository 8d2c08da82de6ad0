"""bin/bench faults: every fault at full size on the embedded default, then the emulator
topology (its test, run as a subprocess so its FAULT-ROW lines become rows), in one table."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from devsupport import ROOT
from devsupport.faults import FULL_DAYS, Row, run_all, table


def emulator_rows() -> list[Row]:
    """The emulator-topology runs (production subscriptions, and every one tripled), by
    running their test: the one place that topology is assembled."""
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                          "tests/e2e/test_emulator_topology.py"], cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    rows = []
    for line in out.stdout.splitlines():
        if "FAULT-ROW " in line:   # pytest's progress dots may precede it on the line
            r = json.loads(line.split("FAULT-ROW ", 1)[1])
            rows.append(Row(f"emulator topology: every message delivered {r['copies']}x", r["copies"], "1/1",
                            r["expected"], r["written"], r["duplicates"], r["lost"], r["dead_lettered"],
                            "Pub/Sub emulator, fake-gcs-server, bqemulator, gunicorn; 1 predictions-complete"))
    if len(rows) < 2:
        tail = out.stdout.strip().splitlines()[-1:] or ["no output"]
        rows.append(Row("emulator topology", 0, "0/1", 0, 0, 0, 0, 0, f"did not run: {tail[0][:200]}"))
    return rows


def run(data: Path) -> None:
    t0 = time.perf_counter()
    rows = run_all(FULL_DAYS) + emulator_rows()
    print(table(rows))
    bad = [r.fault for r in rows if not r.ok]
    print(f"\n{len(rows)} faults in {time.perf_counter() - t0:.0f}s; "
          f"{'all batches complete, 0 duplicates, 0 lost' if not bad else 'FAILED: ' + ', '.join(bad)}")
