"""Import all nine seasons of the team data into a fresh embedded warehouse."""
from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.common import peak_rss_mb, team_files, timed
from ingest.importer import import_files, load_files
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse

TARGET_S = 20.0


def run(data: Path) -> None:
    files = team_files(data)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        wh = DuckDBWarehouse(Path(tmp) / "w.duckdb")
        wh.ensure_tables()
        with timed(results, "read+validate"):
            players = load_files(files)
        with timed(results, "import (total)"):
            result = import_files(wh, files)
        with timed(results, "re-import (no change)"):
            import_files(wh, files)
        rows = wh.count(tables.PLAYER_GAME_SUMMARY.fqn)
    total = results["import (total)"]
    print(f"files: {len(files)}  player-games: {result.player_rows:,}  team-games: {result.team_rows:,}  "
          f"games: {result.games:,}")
    for name, seconds in results.items():
        print(f"  {name:<24} {seconds:6.2f} s")
    print(f"rows/s: {rows / total:,.0f}   peak RSS: {peak_rss_mb():.0f} MB")
    print(f"target < {TARGET_S:.0f} s: {'met' if total < TARGET_S else 'MISSED'} ({total / TARGET_S:.2f} of budget)")
    assert len(players) == rows
