"""Weighted mean of the player's most similar past games: opponent strength, rest, venue,
form and pace, measured in the feature store rows of his earlier games."""
from __future__ import annotations

import numpy as np

from shared.props import PROPS, stat_prop
from worker.systems.base import Context, Output, col, normal_interval, spread, stat

# feature -> the distance that counts as "one unit" of difference; form is the prop's own last-5 mean
# (its unit is the prop's form_unit)
CONTEXT = {"opp_defensive_rating": 5.0, "rest_days": 2.0, "is_home": 0.5, "opp_pace": 3.0}
HISTORY_COLUMNS = (*CONTEXT, *(f"{p.stat}_avg_last5" for p in PROPS), *(p.name for p in PROPS))
K, MIN_GAMES = 15, 5


def scales(prefix: str) -> dict[str, float]:
    return {**CONTEXT, f"{prefix}_avg_last5": stat_prop(prefix).form_unit}


class Similarity:
    name = "similarity"

    def predict(self, rows, ctx: Context) -> Output:
        ids = np.atleast_1d(np.asarray(ctx.player_ids))
        s = stat(ctx)
        fallback = normal_interval(col(rows, f"{s}_ewma"), spread(rows, col(rows, f"{s}_ewma"), s))
        out = {k: np.array(v, dtype=float) for k, v in fallback.items()}
        # a player with too few earlier games gets the EWMA interval, and his row says so
        source = np.full(len(ids), "fallback", dtype=object)
        for i, player_id in enumerate(ids):      # one player per worker request
            history = ctx.features.history(ctx.day, int(player_id)) if ctx.features is not None else None
            if history is not None and len(history[ctx.prop]) >= MIN_GAMES:
                now = {c: col(rows, c)[i] for c in scales(s)}
                for k, v in zip(("predicted", "p10", "p50", "p90"), _nearest(now, history, s, ctx.prop),
                                strict=True):
                    out[k][i] = v
                source[i] = "rule"
        return Output(out, "similarity", "knn-v1", source)


def _nearest(now: dict, history: dict, prefix: str, outcome: str) -> tuple[float, float, float, float]:
    d = np.zeros(len(history[outcome]))
    for c, scale in scales(prefix).items():
        d += ((history[c] - now[c]) / scale) ** 2
    d = np.sqrt(d)
    nearest = np.argsort(d, kind="stable")[:K]
    w = 1 / (1 + d[nearest])
    pts = history[outcome][nearest]
    order = np.argsort(pts, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    quantile = lambda p: float(pts[order][min(np.searchsorted(cum, p), len(pts) - 1)])  # noqa: E731
    center = float(np.sum(w * pts) / w.sum())
    return center, min(quantile(0.10), center), center, max(quantile(0.90), center)
