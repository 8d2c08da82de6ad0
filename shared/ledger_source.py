"""What the ledger grades, read from the warehouse and the batch documents: a system's calls
(the last version of each row before its game's tip-off), the line snapshots of their
dates, the box scores, and the tip-offs. shared/ledger.py does the grading."""
from __future__ import annotations

from datetime import date

import pandas as pd

from shared import ledger, tables
from shared.batch_docs import read_batch
from shared.catalogue import BOX_SCORE_COLUMNS, PROPS
from shared.ports import ObjectStore, Warehouse
from shared.schedule import team_tipoffs

DEFAULT_SYSTEM = "ensemble"   # the served system: what /v1/predictions and the slate show by default
_ROW_COLUMNS = ("game_date", "player_id", "player_name", "team_abbr", "system", "prop", "line", "line_book",
                "p_over", "market_p_over", "edge", "recommendation", "batch_id", "created_at")


def read(warehouse: Warehouse, store: ObjectStore, start: date, end: date,
         system: str = DEFAULT_SYSTEM) -> pd.DataFrame:
    """The ledger of ``system``'s calls on game dates ``start``..``end``: one row per call."""
    calls = _calls(warehouse, store, start, end, system)
    snapshots = warehouse.read(tables.PROP_LINES.fqn, start, end, columns=list(ledger.SNAPSHOT_COLUMNS))
    actuals, settled = _actuals(warehouse, start, end)
    return ledger.grade(calls, snapshots, actuals, settled)


def _calls(warehouse: Warehouse, store: ObjectStore, start: date, end: date, system: str) -> pd.DataFrame:
    # read, not query: while `serve` holds the DuckDB file the CLI reads through its reader, which only reads
    rows = warehouse.read(tables.PREDICTIONS.fqn, start, end, columns=[*_ROW_COLUMNS, "shadow"])
    rows = rows[(rows["system"] == system) & rows["line"].notna() & ~rows["shadow"].fillna(False).astype(bool)]
    rows = rows.merge(team_tipoffs(warehouse, start, end), on=["game_date", "team_abbr"], how="left")
    # the version a bettor could act on: the last made before tip-off (a backtest's rows, made
    # later, have none before: their last)
    rows["before_tip"] = (rows["created_at"] < rows["tipoff_utc"]).fillna(False).astype(bool)
    rows = rows.sort_values(["before_tip", "created_at"], kind="stable").drop_duplicates(
        ["game_date", "player_id", "system", "prop"], keep="last")
    rows = rows[rows["recommendation"].isin(ledger.CALLS)]
    docs = {b: read_batch(store, b) for b in rows["batch_id"].dropna().unique()}
    as_of = {b: doc.inputs.lines_as_of if doc else None for b, doc in docs.items()}
    rows["lines_as_of"] = pd.to_datetime(rows["batch_id"].map(as_of), utc=True)
    return rows.rename(columns={"recommendation": "call", "line_book": "book"})[list(ledger.CALL_COLUMNS)]


def _actuals(warehouse: Warehouse, start: date, end: date) -> tuple[pd.DataFrame, set]:
    """One row per player on a box score, date and prop: the outcome, NaN when he did not
    play; and the dates whose box scores are in."""
    box = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end,
                         columns=["game_date", "player_id", "played", *BOX_SCORE_COLUMNS])
    played = box["played"].fillna(False).astype(bool)
    parts = [box[["game_date", "player_id"]].assign(prop=p.name, actual=p.actual(box).astype("float64")
                                                    .where(played)) for p in PROPS]
    actuals = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["game_date", "player_id", "prop", "actual"])
    return actuals, set(box["game_date"].dt.date)
