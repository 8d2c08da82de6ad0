"""Predictions against what happened. Graded rows: players who played, with at least 10
earlier games that season, predicted by every system, so systems and the naive
baselines are compared on exactly the same rows."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from modeling.calibration import Calibration, calibrate, history
from modeling.dataset import outcomes
from modeling.metrics import accuracy, coverage
from shared import tables
from shared.catalogue import PROP_BY_NAME, PROPS
from shared.ports import Warehouse

MIN_GAMES = 10
MINUTE_BUCKETS = [0, 10, 20, 30, 40, 80]
# expected minutes (the last-10 average, known before the game): where an interval is judged
EXPECTED_MINUTE_BUCKETS = [0, 15, 25, 32, 60]


@dataclass
class Evaluation:
    start: date
    end: date
    main: pd.DataFrame         # per (system, prop) on graded rows
    baselines: pd.DataFrame    # per (prop, baseline) on the same graded rows
    all_played: pd.DataFrame   # per (system, prop) on every predicted player who played
    by_minutes: pd.DataFrame
    by_month: pd.DataFrame
    graded: pd.DataFrame       # the joined graded rows (plots)
    by_expected_minutes: pd.DataFrame | None = None   # MAE and p10-p90 coverage per expected-minutes bucket
    challengers: pd.DataFrame | None = None   # champion vs challenger on the rows both predicted
    # pinball loss, quantile shares, P(over) reliability (modeling/calibration.py)
    distribution: Calibration | None = None


def _metrics(frame: pd.DataFrame, pred: str = "predicted") -> dict:
    m = accuracy(frame["actual"], frame[pred])
    if pred == "predicted":
        m["interval_coverage"] = coverage(frame["actual"], frame["p10"], frame["p90"])
        m["below_p10"] = float(np.mean(frame["actual"] < frame["p10"])) if len(frame) else None
        m["above_p90"] = float(np.mean(frame["actual"] > frame["p90"])) if len(frame) else None
    return m


def evaluate(warehouse: Warehouse, start: date, end: date) -> Evaluation:
    preds = warehouse.read(tables.PREDICTIONS.fqn, start, end)
    if preds.empty:
        raise ValueError(f"no predictions between {start} and {end}: run `bin/pipeline predict-range` first")
    actual = outcomes(warehouse, start, end)
    features = warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end,
                              columns=["game_date", "player_id", "games_played_season", "minutes_avg_last10",
                                       *{c for p in PROPS for c in p.baselines.values()}])
    frames = []
    for prop in (p.name for p in PROPS):
        p = preds[preds["prop"] == prop]
        if p.empty:
            continue
        j = p.merge(actual[["game_date", "player_id", "minutes", prop]].rename(columns={prop: "actual"}),
                    on=["game_date", "player_id"], how="inner")
        frames.append(j.merge(features, on=["game_date", "player_id"], how="left"))
    joined = pd.concat(frames, ignore_index=True)
    joined["actual"] = joined["actual"].astype(float)
    shadow = joined["shadow"].fillna(False).astype(bool)
    challengers = _champion_vs_challenger(joined[~shadow], joined[shadow])
    joined = joined[~shadow]
    preds = preds[~preds["shadow"].fillna(False).astype(bool)]
    systems = joined.groupby("prop")["system"].nunique()
    per_pair = joined.groupby(["prop", "game_date", "player_id"])["system"].transform("nunique")
    common = per_pair == joined["prop"].map(systems)
    graded = joined[common & (joined["games_played_season"] >= MIN_GAMES)].copy()

    big = actual[actual["minutes"] >= 15][["game_date", "player_id"]]
    main_rows, all_rows, base_rows = [], [], []
    for (system, prop), g in graded.groupby(["system", "prop"]):
        had = preds[(preds["system"] == system) & (preds["prop"] == prop)][["game_date", "player_id"]]
        covered = big.merge(had.drop_duplicates(), how="inner").shape[0] / max(len(big), 1)
        main_rows.append({"system": system, "prop": prop, **_metrics(g), "coverage_15min": covered})
    for (system, prop), g in joined.groupby(["system", "prop"]):
        all_rows.append({"system": system, "prop": prop, **_metrics(g)})
    for prop, g in graded.groupby("prop"):
        one = g.drop_duplicates(["game_date", "player_id"])
        for name, col in PROP_BY_NAME[prop].baselines.items():
            base_rows.append({"prop": prop, "baseline": name, **_metrics(one, col)})
    graded["minutes_bucket"] = pd.cut(graded["minutes"], MINUTE_BUCKETS, right=False,
                                      labels=[f"{a}-{b}" for a, b in itertools.pairwise(MINUTE_BUCKETS)])
    graded["abs_error"] = (graded["predicted"] - graded["actual"]).abs()
    by_minutes = graded.groupby(["prop", "system", "minutes_bucket"], observed=True)["abs_error"] \
        .agg(["mean", "size"]).rename(columns={"mean": "mae", "size": "n"}).reset_index()
    graded["expected_minutes"] = pd.cut(graded["minutes_avg_last10"], EXPECTED_MINUTE_BUCKETS, right=False,
                                        labels=[f"{a}-{b}" for a, b in itertools.pairwise(EXPECTED_MINUTE_BUCKETS)])
    by_expected = pd.DataFrame([{"prop": p, "system": s, "expected_minutes": str(b), "n": len(g),
                                 "mae": float(g["abs_error"].mean()),
                                 "interval_coverage": coverage(g["actual"], g["p10"], g["p90"])}
                                for (p, s, b), g in graded.groupby(["prop", "system", "expected_minutes"],
                                                                   observed=True)])
    graded["month"] = graded["game_date"].dt.strftime("%Y-%m")
    by_month = graded.groupby(["prop", "system", "month"])["abs_error"].agg(["mean", "size"]) \
        .rename(columns={"mean": "mae", "size": "n"}).reset_index()
    return Evaluation(start, end, pd.DataFrame(main_rows).sort_values("mae"), pd.DataFrame(base_rows),
                      pd.DataFrame(all_rows).sort_values("mae"), by_minutes, by_month, graded,
                      challengers=challengers, by_expected_minutes=by_expected,
                      distribution=calibrate(graded, history(warehouse, start, end)))


def _champion_vs_challenger(champion: pd.DataFrame, shadow: pd.DataFrame) -> pd.DataFrame:
    if shadow.empty:
        return pd.DataFrame(columns=["system", "prop", "champion_version", "challenger_version", "n",
                                     "champion_mae", "challenger_mae"])
    keys = ["game_date", "player_id", "system", "prop"]
    both = champion[keys + ["predicted", "actual", "model_version"]].merge(
        shadow[keys + ["predicted", "model_version"]], on=keys, suffixes=("_champion", "_challenger"))
    rows = []
    for (system, prop, cv, sv), g in both.groupby(["system", "prop", "model_version_champion",
                                                    "model_version_challenger"]):
        rows.append({"system": system, "prop": prop, "champion_version": cv, "challenger_version": sv, "n": len(g),
                     "champion_mae": float((g["predicted_champion"] - g["actual"]).abs().mean()),
                     "challenger_mae": float((g["predicted_challenger"] - g["actual"]).abs().mean())})
    return pd.DataFrame(rows)
