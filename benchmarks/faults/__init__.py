"""bin/bench faults: run the nightly chain for real dates while injecting faults, and print
one table. tests/e2e/test_faults.py runs the same scenarios at a smaller size in CI."""
from __future__ import annotations

import time
from datetime import date
from pathlib import Path

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
    rows = run_all(FULL_DAYS)
    print(table(rows))
    bad = [r.fault for r in rows if not r.ok]
    print(f"\n{len(rows)} faults in {time.perf_counter() - t0:.0f}s; "
          f"{'all batches complete, 0 duplicates, 0 lost' if not bad else 'FAILED: ' + ', '.join(bad)}")
