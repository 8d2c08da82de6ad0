"""Grade predictions once the box scores of their date are in: one accuracy row per
prediction and a per-day, per-system, per-prop summary. Idempotent: a date's partitions
are replaced."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from modeling.dataset import outcomes
from modeling.metrics import accuracy, coverage
from shared import tables
from shared.catalogue import PROPS
from shared.ports import Warehouse


@dataclass
class GradeResult:
    dates_graded: list[date]
    dates_without_results: list[date]
    rows: int


def grade(warehouse: Warehouse, start: date, end: date,
          progress: Callable[[int, int], None] | None = None) -> GradeResult:
    """``progress(dates_written, dates_to_write)`` is called as each date's grades are written."""
    preds = warehouse.read(tables.PREDICTIONS.fqn, start, end)
    box = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end, columns=["game_date"])
    with_results = set(box["game_date"].dt.date)
    pred_dates = sorted(set(preds["game_date"].dt.date))
    graded_dates = [d for d in pred_dates if d in with_results]
    actual = outcomes(warehouse, start, end)
    parts = []
    for prop in (p.name for p in PROPS):
        p = preds[preds["prop"] == prop]
        if len(p):
            parts.append(p.merge(actual[["game_date", "player_id", "minutes", prop]].rename(columns={prop: "actual"}),
                                 on=["game_date", "player_id"], how="inner"))
    joined = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*preds.columns, "actual"])
    joined["actual"] = joined["actual"].astype(float)
    joined["error"] = joined["predicted"] - joined["actual"]
    joined["abs_error"] = joined["error"].abs()
    joined["inside_interval"] = (joined["actual"] >= joined["p10"]) & (joined["actual"] <= joined["p90"])
    call = joined["recommendation"].astype(object).where(joined["recommendation"].notna(), "").astype(str)
    line = joined["line"].astype(float)
    hit = np.where(call == "OVER", joined["actual"] > line, joined["actual"] < line)
    joined["call_hit"] = pd.array(np.where(call.isin(["OVER", "UNDER"]), hit, None), dtype="boolean")
    joined["graded_at"] = datetime.now(UTC)
    joined["shadow"] = joined["shadow"].fillna(False).astype(bool)
    # the daily summary keeps a challenger's shadow rows apart from its champion's
    joined["summary_system"] = joined["system"].where(~joined["shadow"], joined["system"] + " (challenger)")
    daily = []
    for (d, system, prop), g in joined.groupby(["game_date", "summary_system", "prop"]):
        m = accuracy(g["actual"], g["predicted"])
        hits = g["call_hit"].dropna()
        daily.append({"game_date": d, "system": system, "prop": prop, "n": m["n"], "mae": m["mae"],
                      "rmse": m["rmse"], "bias": m["bias"], "within_3": m["within_3"], "within_5": m["within_5"],
                      "interval_coverage": coverage(g["actual"], g["p10"], g["p90"]), "calls": int(len(hits)),
                      "calls_hit": int(hits.astype(bool).sum())})
    daily = pd.DataFrame(daily, columns=tables.DAILY_ACCURACY.column_names)
    for i, d in enumerate(graded_dates, 1):   # one partition at a time: a date without results keeps what it had
        ts = pd.Timestamp(d)
        warehouse.replace_partitions(tables.PREDICTION_ACCURACY.fqn, joined[joined["game_date"] == ts][
            tables.PREDICTION_ACCURACY.column_names], d, d)
        warehouse.replace_partitions(tables.DAILY_ACCURACY.fqn, daily[daily["game_date"] == ts], d, d)
        if progress:
            progress(i, len(graded_dates))
    return GradeResult(graded_dates, [d for d in pred_dates if d not in with_results],
                       int(joined["game_date"].isin([pd.Timestamp(d) for d in graded_dates]).sum()))
