"""Training rows: the feature store for D joined to what actually happened on D, for
players who played. Features come only from games before D (the feature store's rule)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from shared import tables
from shared.catalogue import PROP_BY_NAME, PROP_NAMES
from shared.features import NAMES
from shared.ports import Warehouse


def target_column(prop: str) -> str:
    try:
        return PROP_BY_NAME[prop].stat
    except KeyError:
        raise ValueError(f"--prop {prop!r}: one of {', '.join(PROP_NAMES)}") from None


def load(warehouse: Warehouse, prop: str, start: date, end: date) -> pd.DataFrame:
    target = target_column(prop)
    features = warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end)
    actual = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end,
                            columns=["game_date", "player_id", "played", target, "minutes"])
    actual = actual[actual["played"].astype(bool)].drop(columns=["played"])
    rows = features.merge(actual.rename(columns={target: "actual"}), on=["game_date", "player_id"], how="inner")
    rows = rows.dropna(subset=["actual"]).sort_values(["game_date", "player_id"]).reset_index(drop=True)
    rows["actual"] = rows["actual"].astype(float)
    return rows


def matrix(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[list(NAMES)].astype("float32")
