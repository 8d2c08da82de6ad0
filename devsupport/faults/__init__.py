"""The fault-injection suite: the nightly chain for real dates while each fault is injected,
one row per fault. `bin/bench faults` runs it at full size (benchmarks/faults_bench.py);
tests/e2e/test_faults.py at one date in CI."""
from __future__ import annotations

from datetime import date

from devsupport.faults.harness import Row, Workspace, capture_logs
from devsupport.faults.kill import sigkill_mid_batch
from devsupport.faults.scenarios import SCENARIOS

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
