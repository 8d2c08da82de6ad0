"""The player's level (moving_average's) corrected by how he did, against his level then, in
his most similar past games (opponent strength, rest, venue, form and pace, from the feature
store rows of his earlier games); the distribution is those games' weighted misses around the center.
The correction is shrunk to a twentieth: the neighbours say little about the center (a tenth
already made some months worse than the EWMA, the full kNN mean of outcomes was 3-4 % worse
on every prop; docs/EXPERIMENTS.md); what they do say is how wide the night can go."""
from __future__ import annotations

import numpy as np

from shared import distribution
from shared.props import PROPS, stat_prop
from worker.features import HISTORY_DAYS
from worker.systems.base import Context, Output, col, normal_interval, spread, stat, with_quantiles
from worker.systems.moving_average import level, rested

# feature -> the distance that counts as "one unit" of difference; form is the prop's own last-5 mean
# (its unit is the prop's form_unit)
CONTEXT = {"opp_defensive_rating": 5.0, "rest_days": 2.0, "is_home": 0.5, "opp_pace": 3.0}
HISTORY_COLUMNS = (*CONTEXT, *(f"{p.stat}_avg_last5" for p in PROPS), *(f"{p.stat}_ewma" for p in PROPS),
                   *(p.name for p in PROPS))
K, MIN_GAMES = 15, 5
SHRINK = 0.05     # the share of the neighbours' mean miss added to the level


def scales(prefix: str) -> dict[str, float]:
    return {**CONTEXT, f"{prefix}_avg_last5": stat_prop(prefix).form_unit}


class Similarity:
    name = "similarity"

    def predict(self, rows, ctx: Context) -> Output:
        ids = np.atleast_1d(np.asarray(ctx.player_ids))
        s = stat(ctx)
        center = level(rows, s) * rested(rows)
        fallback = normal_interval(center, spread(rows, center, s))
        out = {k: np.array(v, dtype=float) for k, v in fallback.items()}
        # a player with too few earlier games gets the level with a normal interval, and his row says so
        # (explain_fallback says why, once per batch)
        source = np.full(len(ids), "fallback", dtype=object)
        for i, player_id in enumerate(ids):      # one player per worker request
            history = None if ctx.features is None else ctx.features.history(ctx.day, int(player_id), HISTORY_COLUMNS)
            if history is not None and len(history[ctx.prop]) >= MIN_GAMES:
                now = {c: col(rows, c)[i] for c in scales(s)}
                out["predicted"][i], out["quantiles"][i] = _nearest(now, history, s, ctx.prop, float(center[i]))
                source[i] = "rule"
        return Output(with_quantiles(out["predicted"], out["quantiles"]), "similarity", "knn-v2", source)


    @staticmethod
    def explain_fallback(features, day) -> str:
        """Which players fell back, and what would give them the history they lack."""
        window = features.history_window(day, HISTORY_COLUMNS)
        if window.missing:
            have = window.game_dates - len(window.missing)
            return (f"players with fewer than {MIN_GAMES} earlier games in the feature store: it holds {have} of the "
                    f"{window.game_dates} game dates with box scores in the {HISTORY_DAYS} days before {day}; "
                    f"`bin/pipeline backfill --start {window.missing[0]} --end {window.missing[-1]}` builds the rest")
        return (f"players with fewer than {MIN_GAMES} earlier games in the {HISTORY_DAYS} days before {day} "
                f"(new or rarely used players; the feature store holds every earlier game date)")


def _nearest(now: dict, history: dict, prefix: str, outcome: str, center: float) -> tuple[float, np.ndarray]:
    d = np.zeros(len(history[outcome]))
    for c, scale in scales(prefix).items():
        d += ((history[c] - now[c]) / scale) ** 2
    d = np.sqrt(d)
    nearest = np.argsort(d, kind="stable")[:K]
    w = 1 / (1 + d[nearest])
    then = level(history, prefix)[nearest]
    miss = history[outcome][nearest] - then
    center = max(center + SHRINK * float(np.sum(w * miss) / w.sum()), 0.0)
    order = np.argsort(miss, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    at = np.minimum(np.searchsorted(cum, distribution.LEVELS), len(miss) - 1)
    return center, np.clip(center + miss[order][at], 0, None)
