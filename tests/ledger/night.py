"""One hand-made night for the ledger: a game on 2024-01-16 (tip 00:30 UTC), the batch's
decision-time line snapshot (18:00 UTC), a later one the batch did not read (18:02), a closing
snapshot (23:30) and one after tip-off (01:00, never the close), the night's box scores, and a
call on the next night, which has none yet. Every expected figure is worked out by hand below."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from shared import documents, tables
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.batch_docs import BatchDoc, BatchInputs, batch_key

DAY, NEXT = date(2024, 1, 16), date(2024, 1, 17)
BATCH, EARLIER_BATCH = "a" * 32, "b" * 32
TIP = "2024-01-17T00:30:00Z"
BOOK = "draftkings"

# player id, name, team, prop, call, line, book; actual (None: on the box score, did not play)
CALLS = [
    (1, "Ann Over", "PHI", "points", "OVER", 24.5, BOOK, 30),
    (2, "Bo Under", "DEN", "rebounds", "UNDER", 8.5, BOOK, 10),
    (3, "Cy Push", "PHI", "assists", "OVER", 6.0, BOOK, 6),
    (4, "Di Out", "DEN", "threes", "OVER", 2.5, BOOK, None),
    (5, "Ed Manual", "PHI", "points", "UNDER", 12.5, "manual", 10),
]
# as_of, player, prop, line, over, under (decimal prices)
SNAPSHOTS = [
    ("2024-01-16T18:00:00Z", 1, "points", 24.5, 1.87, 1.95),
    ("2024-01-16T18:00:00Z", 2, "rebounds", 8.5, 1.80, 2.00),
    ("2024-01-16T18:00:00Z", 3, "assists", 6.0, 1.90, 1.90),
    ("2024-01-16T18:00:00Z", 4, "threes", 2.5, 2.10, 1.75),
    ("2024-01-16T18:02:00Z", 1, "points", 24.5, 1.80, 2.02),   # after the batch's snapshot
    ("2024-01-16T23:30:00Z", 1, "points", 25.5, 1.91, 1.91),
    ("2024-01-16T23:30:00Z", 2, "rebounds", 8.5, 1.70, 2.20),
    ("2024-01-16T23:30:00Z", 3, "assists", 6.0, 1.95, 1.85),
    ("2024-01-17T01:00:00Z", 1, "points", 27.5, 1.91, 1.91),   # after tip-off
]
# what the ledger must say, by player: call price, result, units, closing line, closing price, clv points, clv prob
EXPECTED = {
    1: (1.87, "win", 0.87, 25.5, 1.91, 1.0, None),
    2: (2.00, "loss", -1.0, 8.5, 2.20, 0.0, -(0.588235 / (0.588235 + 0.454545) - 0.555556 / (0.555556 + 0.5))),
    3: (1.90, "push", 0.0, 6.0, 1.95, 0.0, 0.512821 / (0.512821 + 0.540541) - 0.5),
    4: (2.10, "void", 0.0, 2.5, 2.10, 0.0, 0.0),   # the decision snapshot is also the last before tip
    5: (210 / 110, "win", 100 / 110, None, None, None, None),
}


def prediction(player_id, name, team, prop, call, line, book, *, system="ensemble", day=DAY, version="v2",
               batch=BATCH, created="2024-01-16T18:05:00Z", shadow=False) -> dict:
    row = dict.fromkeys(tables.PREDICTIONS.column_names)
    row.update(game_date=day, player_id=player_id, player_name=name, team_abbr=team, system=system, prop=prop,
               predicted=line + (2 if call == "OVER" else -2), p10=line - 6, p50=line, p90=line + 6, line=line,
               line_book=book, p_over=0.6 if call == "OVER" else 0.4, market_p_over=0.5, edge=0.08,
               recommendation=call, model_version=version, batch_id=batch, created_at=pd.Timestamp(created),
               shadow=shadow)
    return row


def build(home: Path) -> tuple[DuckDBWarehouse, DirectoryStore]:
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    wh.ensure_tables()
    store = DirectoryStore(home / "objects")
    rows = [prediction(*c[:7]) for c in CALLS]
    rows += [
        # an earlier version of Ann's row, superseded by the one above
        prediction(1, "Ann Over", "PHI", "points", "UNDER", 24.5, BOOK, version="v1", batch=EARLIER_BATCH,
                   created="2024-01-16T17:00:00Z"),
        # another system's call, a challenger's shadow row and a PASS: none is the served system's call
        prediction(1, "Ann Over", "PHI", "points", "UNDER", 24.5, BOOK, system="xgboost"),
        prediction(2, "Bo Under", "DEN", "rebounds", "OVER", 8.5, BOOK, version="v9", shadow=True),
        {**prediction(6, "Fy Pass", "PHI", "points", "PASS", 20.5, BOOK), "recommendation": "PASS"},
        # tomorrow's call: no box scores yet
        prediction(1, "Ann Over", "PHI", "points", "OVER", 25.5, BOOK, day=NEXT, created="2024-01-17T18:05:00Z"),
    ]
    wh.merge_frame(tables.PREDICTIONS.fqn, pd.DataFrame(rows))
    names = {c[0]: (c[1], c[2]) for c in CALLS}
    lines = [dict.fromkeys(tables.PROP_LINES.column_names) | {
        "game_date": DAY, "as_of": pd.Timestamp(at), "book": BOOK, "prop": prop, "player_name": names[p][0],
        "player_id": p, "team_abbr": names[p][1], "line": line, "over_price": over, "under_price": under}
        for at, p, prop, line, over, under in SNAPSHOTS]
    wh.merge_frame(tables.PROP_LINES.fqn, pd.DataFrame(lines))
    wh.merge_frame(tables.SCHEDULE.fqn, pd.DataFrame([dict.fromkeys(tables.SCHEDULE.column_names) | {
        "game_id": "0022300566", "game_date": DAY, "home_team_abbr": "PHI", "away_team_abbr": "DEN",
        "tipoff_utc": pd.Timestamp(TIP), "status": "scheduled"}]))
    box = []
    for player_id, name, team, prop, _, _, _, actual in CALLS:
        stats = dict.fromkeys(("pts", "reb", "ast", "fg3m"), 0) | {
            {"points": "pts", "rebounds": "reb", "assists": "ast", "threes": "fg3m"}[prop]: actual or 0}
        box.append(dict.fromkeys(tables.PLAYER_GAME_SUMMARY.column_names) | stats | {
            "game_id": "0022300566", "game_date": DAY, "player_id": player_id, "player_name": name,
            "team_abbr": team, "played": actual is not None, "minutes": 30.0 if actual is not None else 0.0})
    wh.merge_frame(tables.PLAYER_GAME_SUMMARY.fqn, pd.DataFrame(box))
    players = sorted({player_id for player_id, *_ in CALLS})
    documents.write(store, batch_key(BATCH), BatchDoc(
        batch_id=BATCH, game_date=DAY, players=players, expected=len(players), state="finished",
        started_at=datetime(2024, 1, 16, 18, 5, tzinfo=UTC), correlation_id="ledger-night",
        inputs=BatchInputs(lines_as_of=datetime(2024, 1, 16, 18, tzinfo=UTC), lines_source="odds_2024-01-16.json")),
        0)
    return wh, store
