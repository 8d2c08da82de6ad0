"""Each candidate feature group measured on its own: XGBoost (L1) trained on 2015-16..2021-22
with the feature store's columns plus the group, MAE on 2022-23 validation (the season the
champion is chosen on; 2023-24 is never looked at here). Several seeds give the noise.

PIPELINE_HOME must be a workspace with the nine seasons imported and backfilled:
    PIPELINE_HOME=/tmp/ws bin/bench features
"""
from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import feature_candidates as fc
from modeling import dataset
from processors import game_context as gc
from processors import history as h
from shared import tables
from shared.bootstrap import build_warehouse
from shared.config import Settings
from shared.features import NAMES

TRAIN_END, VALID_START, VALID_END = pd.Timestamp("2022-06-30"), pd.Timestamp("2022-10-01"), pd.Timestamp("2023-06-30")
GROUPS = {
    "availability": lambda inputs, roster: gc.availability(inputs, roster, roster["pts_avg_last10"],
                                                           roster["minutes_avg_last10"]),
    "team form": fc.team_form,
    "calendar": gc.calendar,
    "opponent vs kind": fc.opponent_vs_kind,
}
SEEDS = (7, 11, 13)


def candidates(warehouse, start: date, end: date) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Every group's columns for every rostered player-date, season by season, and which
    columns each group made."""
    seasons = h.prepare_seasons(h.read_analytics(warehouse, start, end))
    # each rostered player's last-10 means, as PDC computed them (availability sums them)
    levels = warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end,
                            columns=["game_date", "player_id", "pts_avg_last10", "minutes_avg_last10"])
    levels["game_date"] = pd.to_datetime(levels["game_date"])
    frames, groups = [], {}
    for _, inputs in sorted(seasons.items()):
        inputs.dates = [d for d in inputs.dates if pd.Timestamp(start) <= d <= pd.Timestamp(end)]
        if not inputs.dates:
            continue
        roster = h.roster(inputs)
        roster = roster.merge(levels, on=["game_date", "player_id"], how="left")
        cols = {"game_date": roster["game_date"].to_numpy(), "player_id": roster["player_id"].to_numpy()}
        for group, fn in GROUPS.items():
            made = fn(inputs, roster)
            groups[group] = list(made)
            cols.update(made)
        frames.append(pd.DataFrame(cols))
    out = pd.concat(frames, ignore_index=True)
    out["game_date"] = pd.to_datetime(out["game_date"])
    return out, groups


def fit(tr: pd.DataFrame, va: pd.DataFrame, target: str, cols: list[str], seed: int,
        stop_on: pd.DataFrame | None = None) -> tuple[float, np.ndarray]:
    """MAE on ``va``; early stopping on ``stop_on`` (default ``va`` itself, as train.py does)."""
    import xgboost as xgb

    params = {"objective": "reg:absoluteerror", "eta": 0.08, "max_depth": 6, "min_child_weight": 50,
              "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 5.0, "nthread": 2, "seed": seed,
              "eval_metric": "mae", "tree_method": "hist"}
    dtr = xgb.DMatrix(tr[cols].astype("float32"), label=tr[target])
    dva = xgb.DMatrix(va[cols].astype("float32"), label=va[target])
    stop = dva if stop_on is None else xgb.DMatrix(stop_on[cols].astype("float32"), label=stop_on[target])
    booster = xgb.train(params, dtr, 2000, evals=[(stop, "stop")], early_stopping_rounds=60, verbose_eval=False)
    pred = booster.predict(dva, iteration_range=(0, booster.best_iteration + 1))
    return float(np.mean(np.abs(pred - va[target].to_numpy()))), pred


def expected_minutes(rows: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Minutes predicted out of fold: each training season by a model of the other training
    seasons, the validation season by a model of all of them; each model early-stops on one
    season it does not train on (the next one, else the first)."""
    season = rows["game_date"].dt.year - (rows["game_date"].dt.month < 8)
    out = np.full(len(rows), np.nan)
    train_seasons = sorted(season[rows["game_date"] <= TRAIN_END].unique())
    for held in [*train_seasons, None]:
        fit_on = (rows["game_date"] <= TRAIN_END) & (season != held)
        target = (season == held) if held is not None else (rows["game_date"] >= VALID_START)
        stop = season == (held + 1 if held is not None and held + 1 in train_seasons else train_seasons[0])
        _, pred = fit(rows[fit_on & ~stop], rows[target], "minutes", cols, SEEDS[0], stop_on=rows[stop])
        out[target.to_numpy()] = pred
    return out


def run(data: Path) -> None:
    home = os.environ.get("PIPELINE_HOME")
    if not home:
        raise SystemExit("set PIPELINE_HOME to a workspace with the nine seasons backfilled")
    warehouse = build_warehouse(Settings.from_env({"PIPELINE_HOME": home}), read_only=True)
    t0 = time.perf_counter()
    rows = dataset.load(warehouse, "points", date(2015, 10, 1), VALID_END.date())
    extra, group_cols = candidates(warehouse, date(2015, 10, 1), VALID_END.date())
    print(f"candidates for {len(extra):,} roster rows in {time.perf_counter() - t0:.1f} s")
    made = [c for c in extra.columns if c not in ("game_date", "player_id")]
    rows = rows.drop(columns=[c for c in made if c in rows.columns]).merge(extra, on=["game_date", "player_id"],
                                                                            how="left")
    base = [n for n in NAMES if n not in made]   # the feature store without any candidate
    rows["expected_minutes"] = expected_minutes(rows, base + group_cols["availability"])
    group_cols["minutes model"] = ["expected_minutes"]
    tr = rows[rows["game_date"] <= TRAIN_END]
    va = rows[(rows["game_date"] >= VALID_START) & (rows["game_date"] <= VALID_END)]
    print(f"train {len(tr):,} rows, validation {len(va):,} rows (2022-23)")
    trials = {"feature store only": base, **{f"+ {g}": base + cols for g, cols in group_cols.items()},
              "+ availability + calendar": base + group_cols["availability"] + group_cols["calendar"],
              "+ every group": base + [c for cols in group_cols.values() for c in cols]}
    print("| features | MAE 2022-23 (mean of seeds) | seeds | vs feature store only |")
    print("|---|---|---|---|")
    ref = None
    for label, cols in trials.items():
        maes = [fit(tr, va, "actual", cols, s)[0] for s in SEEDS]
        mean = float(np.mean(maes))
        ref = mean if ref is None else ref
        print(f"| {label} | {mean:.4f} | {' / '.join(f'{m:.4f}' for m in maes)} | {mean - ref:+.4f} |", flush=True)

