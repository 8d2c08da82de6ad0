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


def open_batch(objects: Path, day, players: list[int]) -> str:
    """A running batch holding ``players`` in the store under ``objects``: the worker predicts
    only for requests of a running batch, so a benchmark posting its own requests needs one."""
    import uuid
    from datetime import UTC, datetime

    from coordinator.batches import BatchStore
    from shared.adapters.directory_store import DirectoryStore
    from shared.batch_docs import BatchDoc

    batch_id = uuid.uuid4().hex
    batches = BatchStore(DirectoryStore(objects))
    batches.put_batch(BatchDoc(batch_id=batch_id, game_date=day, players=[int(p) for p in players],
                               expected=len(players), state="running", started_at=datetime.now(UTC),
                               finished_at=None, correlation_id=batch_id))
    batches.set_running(batch_id, True)
    return batch_id
