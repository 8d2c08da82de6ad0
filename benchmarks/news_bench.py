"""News before tip-off against a full slate (issue 28's measure: a superseding batch for two
teams under a quarter of a full slate's time), on the busiest 2023-24 date, in process (the
coordinator and worker code without HTTP): a full slate's batch, warm, then a later report that
rules one player of each of two teams Out and the refresh that withdraws them and re-predicts
their teams."""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchmarks.chain_bench import BUSIEST, prepared_home
from bin.stack import inline
from coordinator import service
from coordinator.refresh import refresh
from coordinator.requests import StartRequest
from ingest.importer.injuries import import_injuries
from processors.runner import nightly
from shared import tables
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.config import Settings
from shared.timetable import EASTERN

TARGET = 0.25
REPORT = "player_id,player_name,team,status,as_of,reason\n"


def _timed_launch(real, times: list[float]):
    """service.launch, timing a superseding batch alone, from its document to finalised."""
    def launch(deps, doc):
        t = time.perf_counter()
        real(deps, doc)
        if doc.get("parent_batch_id"):
            times.append(time.perf_counter() - t)
    return launch


def run(data: Path, repeats: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = prepared_home(Path(tmp))
        wh = DuckDBWarehouse(home / "warehouse.duckdb")
        nightly(wh, None, BUSIEST)
        chain = inline(Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH": "off"}), wh,
                       DirectoryStore(home / "objects"))
        roster = wh.read(tables.ML_FEATURE_STORE.fqn, BUSIEST, BUSIEST, columns=["player_id", "team_abbr"])
        teams = sorted(roster["team_abbr"].unique())
        service.start(chain.coordinator, StartRequest(game_date=BUSIEST), BUSIEST)   # models loaded: warm from here
        full, whole, batch, out = [], [], [], []
        real = service.launch
        service.launch = _timed_launch(real, batch)
        try:
            for i in range(repeats):
                t = time.perf_counter()
                service.start(chain.coordinator, StartRequest(game_date=BUSIEST, force=True), BUSIEST)
                full.append(time.perf_counter() - t)
                two = teams[2 * i:2 * i + 2]
                out += [int(roster.loc[roster["team_abbr"] == team, "player_id"].iloc[0]) for team in two]
                path = home / f"report{i}.csv"   # the earlier reports' players stay Out
                path.write_text(REPORT + "".join(f"{p},,,Out,{BUSIEST}T{13 + i}:00,Ankle\n" for p in out))
                import_injuries(wh, path)
                t = time.perf_counter()
                done = refresh(chain.coordinator, BUSIEST, datetime.combine(BUSIEST, datetime.min.time(), EASTERN)
                               .replace(hour=13 + i, minute=30))
                whole.append(time.perf_counter() - t)
                assert done["state"] == "refreshed" and done["teams"] == two, done
        finally:
            service.launch = real
        wh.close()
    full_s, whole_s, batch_s = (statistics.median(x) for x in (full, whole, batch))
    print(f"{BUSIEST}: {len(roster)} players; medians of {repeats} runs (warm)")
    print(f"  full slate batch                      {full_s:6.2f} s")
    print(f"  superseding batch, two teams          {batch_s:6.2f} s   {batch_s / full_s:5.0%} of the full slate")
    print("  whole refresh (reads, withdrawal,")
    print(f"    the batch, re-pricing)              {whole_s:6.2f} s   {whole_s / full_s:5.0%}   target < {TARGET:.0%}")
