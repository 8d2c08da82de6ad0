"""Training rows: the feature store for D joined to what actually happened on D, for
players who played. Features come only from games before D (the feature store's rule), but
for the one named exception: tonight's availability, from realised absences (who of the
rotation did not play D), on half of the dates left unknown so the models also learn the
batches that know nothing of tonight."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from shared import availability, tables
from shared.catalogue import BOX_SCORE_COLUMNS, PROP_BY_NAME, PROP_NAMES, PROPS, Prop
from shared.errors import BadArgument
from shared.features import NAMES, TONIGHT_NAMES
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


# the share of training dates whose tonight columns are left unknown (availability_source none)
UNKNOWN_SHARE = 0.5


def unknown_date(days: pd.Series) -> np.ndarray:
    """True for the dates trained as ``none``: a fixed hash of the date, so every window and
    every prop masks the same dates."""
    ordinal = pd.to_datetime(days).map(pd.Timestamp.toordinal).to_numpy(dtype=np.uint64)
    return (ordinal * np.uint64(2654435761) % np.uint64(2**32)) / 2**32 < UNKNOWN_SHARE


def with_tonight(features: pd.DataFrame, box: pd.DataFrame) -> pd.DataFrame:
    """The feature-store rows of every rostered player with the tonight columns from realised
    statuses (``box``: the dates' box-score rows), or unknown on the masked dates."""
    rows = features.reset_index(drop=True)
    tonight = availability.columns(rows, availability.realised(rows, box))
    masked = unknown_date(rows["game_date"])
    tonight.loc[masked, list(TONIGHT_NAMES)] = np.nan
    rows[list(TONIGHT_NAMES)] = tonight[list(TONIGHT_NAMES)].to_numpy()
    rows["availability_source"] = np.where(masked, "none", "realised")
    return rows


def load(warehouse: Warehouse, prop: str, start: date, end: date) -> pd.DataFrame:
    target = prop_named(prop).name
    box = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end,
                         columns=["game_date", "player_id", "team_abbr", "played"])
    features = with_tonight(warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end), box)
    actual = outcomes(warehouse, start, end)[["game_date", "player_id", "minutes", target]]
    rows = features.merge(actual.rename(columns={target: "actual"}), on=["game_date", "player_id"], how="inner")
    rows = rows.dropna(subset=["actual"]).sort_values(["game_date", "player_id"]).reset_index(drop=True)
    rows["actual"] = rows["actual"].astype(float)
    return rows


def matrix(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[list(NAMES)].astype("float32")
