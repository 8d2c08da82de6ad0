"""Fetch times against the sources served on loopback (devsupport/feed_sources.py): a whole
season of box scores (2023-24, 26,401 player-games, served in the stats API's layout) into
a fresh warehouse and again with nothing new, and a night's odds (the 11 games of
2024-01-15, eight books, the five player markets). What the network adds in production is
not in these figures: they measure our side (nba_api, parsing, validation, the import)."""
from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from benchmarks.common import ROOT, peak_rss_mb, timed
from devsupport.feed_layouts import night_of_event_odds, player_log_rows
from devsupport.feed_sources import API_KEY, Sources
from ingest import box_scores, lines
from ingest.http import Http
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse

SEASON = ROOT / "data" / "sample" / "player_logs_2023-24.csv.gz"
FIRST, LAST, NIGHT = date(2023, 10, 24), date(2024, 4, 14), date(2024, 1, 15)


def run(data: Path) -> None:
    logs = pd.read_csv(SEASON, dtype=str, keep_default_na=False)
    results: dict[str, float] = {}
    with Sources() as sources, tempfile.TemporaryDirectory() as tmp:
        sources.stats_rows = player_log_rows(logs)
        night = night_of_event_odds(logs, NIGHT.isoformat())
        sources.events = [{k: e[k] for k in ("id", "sport_key", "sport_title", "commence_time", "home_team",
                                             "away_team")} for e in night]
        sources.event_odds = {e["id"]: e for e in night}
        wh, store = DuckDBWarehouse(Path(tmp) / "w.duckdb"), DirectoryStore(Path(tmp) / "objects")
        wh.ensure_tables()
        with timed(results, "season of box scores"):
            season = box_scores.fetch(wh, store, Http(box_scores.FEED, box_scores.POLICY), sources.stats_url,
                                      FIRST, LAST, datetime.now(UTC))
        with timed(results, "same season again"):
            box_scores.fetch(wh, store, Http(box_scores.FEED, box_scores.POLICY), sources.stats_url, FIRST, LAST,
                             datetime.now(UTC))
        with timed(results, "a night's odds"):
            odds = lines.fetch(wh, store, Http(lines.FEED, lines.POLICY), sources.odds_url, API_KEY,
                               date(2024, 1, 15), datetime.now(UTC))
        sizes = {k: len(store.read(k).data) for k in season.raw_keys + odds.raw_keys}
    print(f"season {FIRST}..{LAST}: {season.result.player_rows:,} player-games, {season.requests} requests, "
          f"{sum(sizes[k] for k in season.raw_keys) / 1e6:.1f} MB of JSON")
    print(f"night {NIGHT}: {odds.events} events, {odds.books} books, {odds.rows:,} lines, "
          f"{sum(sizes[k] for k in odds.raw_keys) / 1e6:.1f} MB of JSON")
    for name, seconds in results.items():
        print(f"  {name:<24} {seconds:6.2f} s")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
