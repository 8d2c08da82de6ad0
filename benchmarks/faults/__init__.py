"""bin/bench faults: run the nightly chain for real dates while injecting faults, and print
one table. tests/e2e/test_faults.py runs the same scenarios at a smaller size in CI."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.common import ROOT
from benchmarks.faults.harness import Row, Workspace, capture_logs
from benchmarks.faults.kill import sigkill_mid_batch
from benchmarks.faults.scenarios import SCENARIOS

FULL_DAYS = [date(2024, 1, 16), date(2024, 1, 17)]
SMALL_DAYS = [date(2023, 12, 7)]


def run_all(days: list[date], with_kill: bool = True) -> list[Row]:
    ws = Workspace(days)
    rows = []
    try:
        for scenario in SCENARIOS + ([sigkill_mid_batch] if with_kill else []):
            with capture_logs() as logs:
                row = scenario(ws)
            row.logged = ", ".join(filter(None, [row.logged, logs.summary()]))
            rows.append(row)
        return rows
    finally:
        ws.close()


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


def table(rows: list[Row]) -> str:
    head = ("fault", "injected", "batches", "rows expected", "rows written", "duplicates", "lost", "dead-lettered",
            "note", "logged (WARNING and worse)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append(f"| {r.fault} | {r.injected} | {r.batches} | {r.rows_expected} | {r.rows_written} | "
                     f"{r.duplicates} | {r.lost} | {r.dead_lettered} | {r.note} | {r.logged} |")
    return "\n".join(lines)


def run(data: Path) -> None:
    t0 = time.perf_counter()
    rows = run_all(FULL_DAYS) + emulator_rows()
    print(table(rows))
    bad = [r.fault for r in rows if not r.ok]
    print(f"\n{len(rows)} faults in {time.perf_counter() - t0:.0f}s; "
          f"{'all batches complete, 0 duplicates, 0 lost' if not bad else 'FAILED: ' + ', '.join(bad)}")
