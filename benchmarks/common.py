"""Shared helpers for benchmarks: timing, peak memory, where the team data lives."""
from __future__ import annotations

import resource
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEAM_DATA = ROOT.parent / "shared" / "data" / "nba"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed(results: dict, name: str):
    start = time.perf_counter()
    yield
    results[name] = time.perf_counter() - start


def team_files(data: Path) -> list[Path]:
    files = sorted((data / "player_logs").glob("player_logs_*.csv.gz"))
    if not files:
        raise SystemExit(f"no box scores under {data}/player_logs: pass --data DIR")
    return files
