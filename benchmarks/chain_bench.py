"""The full slate of the busiest 2023-24 date on the embedded default: from the last
processor event to the consolidated predictions table."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from benchmarks import profiling
from benchmarks.common import ROOT, peak_rss_mb
from bin import stack as local
from coordinator.service import status_for_date
from ingest.importer import import_files
from processors.runner import nightly
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.config import Settings

BUSIEST = date(2024, 4, 14)   # all 30 teams: the most player rows of any 2023-24 date
TARGET_S = 5.0
PROFILE_OUT = ROOT / "var" / "profiles" / "chain.speedscope.json"


def prepared_home(tmp: Path) -> Path:
    home = tmp / "home"
    home.mkdir()
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    wh.ensure_tables()
    import_files(wh, [ROOT / "data" / "sample" / "player_logs_2023-24.csv.gz"])
    wh.close()
    return home


def run(data: Path, repeats: int = 3, profile: bool = False) -> None:
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        base = prepared_home(Path(tmp))
        for i in range(repeats + profile):
            home = Path(tmp) / f"run{i}"
            shutil.copytree(base, home)
            figures.append(_once(home, PROFILE_OUT if profile and i == repeats else None))
    if profile:
        figures.pop()
        print(profiling.table(profiling.stages(PROFILE_OUT), "last event -> consolidated, one more run"))
        print(f"flame graph: {PROFILE_OUT} (speedscope)")
    print(f"full slate {BUSIEST}: {figures[0][2]} players, {figures[0][3]} prediction rows")
    for i, (proc_s, chain_s, _, _) in enumerate(figures, 1):
        print(f"  run {i}: processors {proc_s:5.2f} s   last event -> consolidated table {chain_s:5.2f} s")
    best = sorted(f[1] for f in figures)[len(figures) // 2]
    print(f"median last event -> consolidated: {best:.2f} s  target < {TARGET_S:.0f} s: "
          f"{'met' if best < TARGET_S else 'MISSED'} ({best / TARGET_S:.2f} of budget)")
    print(f"peak RSS (this process, services included): {peak_rss_mb():.0f} MB")


def _once(home: Path, profile_to: Path | None) -> tuple[float, float, int, int]:
    """One run on a fresh copy: the processors publish their events, then the wait for the
    consolidated table (py-spy records that wait when ``profile_to`` is given)."""
    env = {"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": "bench-token-0123456789"}
    st = local.start(Settings.from_env(env))
    try:
        recorder = profiling.recording(os.getpid(), profile_to) if profile_to else contextlib.nullcontext()
        t0 = time.perf_counter()
        with recorder:
            nightly(st.warehouse, st.bus, BUSIEST)
            t1 = time.perf_counter()
            # the final claim, one small read: /status (every player's marker) or the batch document
            # (every player's inputs) would load the coordinator it measures
            while _state(st.coordinator.batches) != "finalized":
                threading.Event().wait(0.02)
            t2 = time.perf_counter()
        found = status_for_date(st.coordinator, BUSIEST)
        rows = st.warehouse.count(tables.PREDICTIONS.fqn)
    finally:
        st.stop()
    return t1 - t0, t2 - t1, found["expected"], rows


def _state(batches) -> str | None:
    pointer = batches.date_pointer(BUSIEST)
    found = batches.final(pointer[0].batch_id) if pointer else None
    return found[0].state if found else None
