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
from shared import schedule, tables, versions
from shared.catalogue import PROPS
from shared.ports import Warehouse


def graded_versions(warehouse: Warehouse, preds: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """The version graded per player, system and prop: the last created before tip-off (a
    version made after it is no prediction)."""
    timed = preds.merge(schedule.team_tipoffs(warehouse, start, end), on=["game_date", "team_abbr"], how="left")
    # a night's first version stays gradable when it was made after the fact (a backtest)
    first = timed["prediction_version"].fillna(1) <= 1
    made = timed["predicted_as_of"].fillna(timed["created_at"])   # as of the inputs it read
    made_before = first | timed["tipoff_utc"].isna() | (made < timed["tipoff_utc"])
    return versions.latest(timed[made_before].drop(columns="tipoff_utc"), keep_withdrawn=True)


@dataclass
class GradeResult:
    dates_graded: list[date]
    dates_without_results: list[date]
    rows: int
    versions_graded: int = 0


def grade(warehouse: Warehouse, start: date, end: date,
          progress: Callable[[int, int], None] | None = None) -> GradeResult:
    """``progress(dates_written, dates_to_write)`` is called as each date's grades are written.
    Each player, system and prop is graded once, on the last version of his prediction made
    before his game's tip-off (graded_versions), withdrawn or not; ``versions_graded`` counts
    the rows graded on a version news made (2 or later)."""
    preds = graded_versions(warehouse, warehouse.read(tables.PREDICTIONS.fqn, start, end), start, end)
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
    written = joined["game_date"].isin([pd.Timestamp(d) for d in graded_dates])
    return GradeResult(graded_dates, [d for d in pred_dates if d not in with_results], int(written.sum()),
                       int((written & (joined["prediction_version"].fillna(1) > 1)).sum()))
