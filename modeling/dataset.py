"""Training rows: the feature store for D joined to what actually happened on D, for
players who played. Features come only from games before D (the feature store's rule)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from shared import tables
from shared.catalogue import BOX_SCORE_COLUMNS, PROP_BY_NAME, PROP_NAMES, PROPS, Prop
from shared.errors import BadArgument
from shared.features import NAMES
from shared.ports import Warehouse


def prop_named(prop: str) -> Prop:
    try:
        return PROP_BY_NAME[prop]
    except KeyError:
        raise BadArgument("prop", prop, f"one of {', '.join(PROP_NAMES)}") from None


def outcomes(warehouse: Warehouse, start: date, end: date) -> pd.DataFrame:
    """What happened, one row per player who played and date: minutes and one column per prop."""
    box = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end,
                         columns=["game_date", "player_id", "played", "minutes", *BOX_SCORE_COLUMNS])
    box = box[box["played"].astype(bool)]
    out = box[["game_date", "player_id", "minutes"]].copy()
    for p in PROPS:
        out[p.name] = p.actual(box).astype(float)
    return out.reset_index(drop=True)


def load(warehouse: Warehouse, prop: str, start: date, end: date) -> pd.DataFrame:
    target = prop_named(prop).name
    features = warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end)
    actual = outcomes(warehouse, start, end)[["game_date", "player_id", "minutes", target]]
    rows = features.merge(actual.rename(columns={target: "actual"}), on=["game_date", "player_id"], how="inner")
    rows = rows.dropna(subset=["actual"]).sort_values(["game_date", "player_id"]).reset_index(drop=True)
    rows["actual"] = rows["actual"].astype(float)
    return rows


def matrix(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[list(NAMES)].astype("float32")
