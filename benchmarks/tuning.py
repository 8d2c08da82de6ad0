"""XGBoost hyper-parameters chosen by time-series cross-validation on seasons before 2022-23:
each fold trains on every season before its validation season (2019-20, 2020-21, 2021-22) and
early-stops on it. 2022-23 (the champion's validation season) and 2023-24 (the evaluation
season) are never looked at. Reads the feature store of PIPELINE_HOME (the nine seasons):
    PIPELINE_HOME=/tmp/ws bin/bench tuning
"""
from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from modeling import dataset
from shared.bootstrap import build_warehouse
from shared.config import Settings
from shared.features import NAMES

FOLDS = (2019, 2020, 2021)       # validation seasons (their first year)
GRID = (
    {"max_depth": 6, "min_child_weight": 50, "colsample_bytree": 0.8},   # today's parameters
    {"max_depth": 4, "min_child_weight": 50, "colsample_bytree": 0.8},
    {"max_depth": 8, "min_child_weight": 50, "colsample_bytree": 0.8},
    {"max_depth": 6, "min_child_weight": 200, "colsample_bytree": 0.8},
    {"max_depth": 6, "min_child_weight": 50, "colsample_bytree": 0.5},
    {"max_depth": 8, "min_child_weight": 200, "colsample_bytree": 0.5},
    {"max_depth": 3, "min_child_weight": 50, "colsample_bytree": 0.8},
    {"max_depth": 4, "min_child_weight": 200, "colsample_bytree": 0.8},
    {"max_depth": 5, "min_child_weight": 100, "colsample_bytree": 0.8},
    {"max_depth": 4, "min_child_weight": 200, "colsample_bytree": 0.5},
)


CATBOOST_GRID = (
    {"depth": 6, "l2_leaf_reg": 5},     # today's parameters
    {"depth": 4, "l2_leaf_reg": 5},
    {"depth": 8, "l2_leaf_reg": 5},
    {"depth": 6, "l2_leaf_reg": 20},
)


def folds(rows: pd.DataFrame):
    season = rows["game_date"].dt.year - (rows["game_date"].dt.month < 8)
    for held in FOLDS:
        yield rows[season < held], rows[season == held]


def cv_mae_catboost(rows: pd.DataFrame, params: dict) -> tuple[list[float], list[int]]:
    import catboost

    maes, rounds = [], []
    for tr, va in folds(rows):
        model = catboost.CatBoostRegressor(loss_function="MAE", iterations=3000, learning_rate=0.1, random_seed=7,
                                           thread_count=2, od_type="Iter", od_wait=60, use_best_model=True,
                                           verbose=0, allow_writing_files=False, **params)
        model.fit(dataset.matrix(tr), tr["actual"], eval_set=(dataset.matrix(va), va["actual"]))
        maes.append(float(np.mean(np.abs(model.predict(dataset.matrix(va)) - va["actual"].to_numpy()))))
        rounds.append(int(model.get_best_iteration() or 0) + 1)
    return maes, rounds


def cv_mae(rows: pd.DataFrame, params: dict) -> tuple[list[float], list[int]]:
    import xgboost as xgb

    maes, rounds = [], []
    for tr, va in folds(rows):
        full = {"objective": "reg:absoluteerror", "eta": 0.08, "subsample": 0.8, "lambda": 5.0, "nthread": 2,
                "seed": 7, "eval_metric": "mae", "tree_method": "hist", **params}
        dtr = xgb.DMatrix(dataset.matrix(tr), label=tr["actual"])
        dva = xgb.DMatrix(dataset.matrix(va), label=va["actual"])
        booster = xgb.train(full, dtr, 2000, evals=[(dva, "valid")], early_stopping_rounds=60, verbose_eval=False)
        pred = booster.predict(dva, iteration_range=(0, booster.best_iteration + 1))
        maes.append(float(np.mean(np.abs(pred - va["actual"].to_numpy()))))
        rounds.append(booster.best_iteration + 1)
    return maes, rounds


def run(data: Path) -> None:
    home = os.environ.get("PIPELINE_HOME")
    if not home:
        raise SystemExit("set PIPELINE_HOME to a workspace with the nine seasons backfilled")
    warehouse = build_warehouse(Settings.from_env({"PIPELINE_HOME": home}), read_only=True)
    rows = dataset.load(warehouse, "points", date(2015, 10, 1), date(2022, 6, 30))
    print(f"{len(rows):,} rows, {len(NAMES)} features; folds validate on "
          + ", ".join(f"{y}-{(y + 1) % 100:02d}" for y in FOLDS))
    print("| max_depth | min_child_weight | colsample | fold MAEs | mean | rounds | seconds |")
    print("|---|---|---|---|---|---|---|")
    for params in GRID:
        t0 = time.perf_counter()
        maes, rounds = cv_mae(rows, params)
        print(f"| {params['max_depth']} | {params['min_child_weight']} | {params['colsample_bytree']} | "
              f"{' / '.join(f'{m:.4f}' for m in maes)} | {np.mean(maes):.4f} | {'/'.join(map(str, rounds))} | "
              f"{time.perf_counter() - t0:.0f} |", flush=True)
    print("\n| catboost depth | l2_leaf_reg | fold MAEs | mean | rounds | seconds |\n|---|---|---|---|---|---|")
    for params in CATBOOST_GRID:
        t0 = time.perf_counter()
        maes, rounds = cv_mae_catboost(rows, params)
        print(f"| {params['depth']} | {params['l2_leaf_reg']} | {' / '.join(f'{m:.4f}' for m in maes)} | "
              f"{np.mean(maes):.4f} | {'/'.join(map(str, rounds))} | {time.perf_counter() - t0:.0f} |", flush=True)
