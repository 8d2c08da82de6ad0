"""Backfill all five processors over every season of the team data, then one nightly date."""
from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.common import peak_rss_mb, team_files
from ingest.importer import import_files
from processors.backfill import backfill
from processors.runner import nightly
from shared.adapters.duckdb_warehouse import DuckDBWarehouse

BACKFILL_TARGET_S, NIGHTLY_TARGET_S = 60.0, 2.0


def run(data: Path, workers: int = 2) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wh = DuckDBWarehouse(Path(tmp) / "w.duckdb")
        wh.ensure_tables()
        import_files(wh, team_files(data))
        figures = []
        for w in sorted({1, workers}):
            t0 = time.perf_counter()
            result = backfill(wh, date(2015, 10, 1), date(2024, 6, 30), force=True, workers=w)
            figures.append((w, time.perf_counter() - t0, result))
        t0 = time.perf_counter()
        events = nightly(wh, None, date(2024, 1, 15))
        nightly_s = time.perf_counter() - t0
    print(f"backfill 2015-16..2023-24, all five processors, {figures[0][2].dates_in_range} game dates")
    for w, seconds, result in figures:
        rows = sum(o.rows for o in result.outcomes.values())
        print(f"  workers={w}: {seconds:6.1f} s  {rows:,} rows  {rows / seconds:,.0f} rows/s  "
              f"rejected {sum(o.rejected for o in result.outcomes.values())}  "
              f"target < {BACKFILL_TARGET_S:.0f} s: {'met' if seconds < BACKFILL_TARGET_S else 'MISSED'}")
        for o in result.outcomes.values():
            print(f"      {o.processor:<28} {o.rows:>9,} rows  write+validate {o.seconds:5.1f} s")
    if len(figures) == 2:
        print(f"  speed-up workers={figures[1][0]} vs 1: {figures[0][1] / figures[1][1]:.2f}x")
    rows = sum(e.rows for e in events)
    print(f"nightly 2024-01-15: {nightly_s:.2f} s, {rows} rows, statuses {sorted({e.status for e in events})}  "
          f"target < {NIGHTLY_TARGET_S:.0f} s: {'met' if nightly_s < NIGHTLY_TARGET_S else 'MISSED'}")
    print(f"peak RSS (this process): {peak_rss_mb():.0f} MB")
