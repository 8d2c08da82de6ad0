"""Training rows: the feature store for D joined to what actually happened on D, for
players who played. Features come only from games before D (the feature store's rule)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from shared.features import NAMES
from shared.ports import Warehouse

PROPS = {"points": "pts", "rebounds": "reb", "assists": "ast"}
# naive baselines per prop: name -> feature column holding that forecast
BASELINES = {
    "points": {"season_avg": "pts_avg_season", "last10": "pts_avg_last10", "ewma": "pts_ewma"},
    "rebounds": {"last10": "reb_avg_last10"},
    "assists": {"last10": "ast_avg_last10"},
}


def target_column(prop: str) -> str:
    try:
        return PROPS[prop]
    except KeyError:
        raise ValueError(f"--prop {prop!r}: one of {', '.join(PROPS)}") from None


def load(warehouse: Warehouse, prop: str, start: date, end: date) -> pd.DataFrame:
    target = target_column(prop)
    features = warehouse.read("precompute.ml_feature_store", start, end)
    actual = warehouse.read("analytics.player_game_summary", start, end,
                            columns=["game_date", "player_id", "played", target, "minutes"])
    actual = actual[actual["played"].astype(bool)].drop(columns=["played"])
    rows = features.merge(actual.rename(columns={target: "actual"}), on=["game_date", "player_id"], how="inner")
    rows = rows.dropna(subset=["actual"]).sort_values(["game_date", "player_id"]).reset_index(drop=True)
    rows["actual"] = rows["actual"].astype(float)
    return rows


def matrix(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[list(NAMES)].astype("float32")
