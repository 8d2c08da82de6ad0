"""Weighted mean of the player's most similar past games: opponent strength, rest, venue,
form and pace, measured in the feature store rows of his earlier games."""
from __future__ import annotations

import numpy as np
import pandas as pd

from worker.systems.base import Context, Output, normal_interval, spread

# feature -> the distance that counts as "one unit" of difference
SCALES = {"opp_defensive_rating": 5.0, "rest_days": 2.0, "is_home": 0.5, "pts_avg_last5": 4.0, "opp_pace": 3.0}
K, MIN_GAMES = 15, 5


class Similarity:
    name = "similarity"

    def predict(self, rows: pd.DataFrame, ctx: Context) -> Output:
        out = []
        for player_id, row in rows.iterrows():   # one player per worker request
            history = ctx.features.history(ctx.day, int(player_id)) if ctx.features is not None else pd.DataFrame()
            out.append(_one(row, history))
        frame = pd.DataFrame(out, index=rows.index, columns=["predicted", "p10", "p50", "p90"])
        return Output(frame, "similarity", "knn-v1", "rule")


def _one(row: pd.Series, history: pd.DataFrame) -> list[float]:
    if len(history) < MIN_GAMES:
        f = normal_interval(np.array([row["pts_ewma"]]), spread(row.to_frame().T, np.array([row["pts_ewma"]])))
        return f.iloc[0][["predicted", "p10", "p50", "p90"]].tolist()
    d = np.zeros(len(history))
    for col, scale in SCALES.items():
        d += ((history[col].to_numpy(dtype=float) - float(row[col])) / scale) ** 2
    d = np.sqrt(d)
    nearest = np.argsort(d, kind="stable")[:K]
    w = 1 / (1 + d[nearest])
    pts = history["pts"].to_numpy(dtype=float)[nearest]
    order = np.argsort(pts)
    cum = np.cumsum(w[order]) / w.sum()
    q = lambda p: float(pts[order][np.searchsorted(cum, p)])  # noqa: E731 (weighted quantile)
    center = float(np.sum(w * pts) / w.sum())
    return [center, min(q(0.10), center), center, max(q(0.90), center)]
