"""Weighted recent averages, adjusted for fatigue, venue and back-to-backs."""
from __future__ import annotations

import numpy as np

from worker.systems.base import Context, Output, col, normal_interval, spread, stat

WEIGHTS = {"avg_last5": 0.45, "avg_last10": 0.35, "avg_season": 0.20}


class MovingAverage:
    name = "moving_average"

    def predict(self, rows, ctx: Context) -> Output:
        s = stat(ctx)
        base = sum(w * col(rows, f"{s}_{c}") for c, w in WEIGHTS.items())
        fatigue = 1 - 0.0015 * (col(rows, "fatigue_score") - 40)
        # home court is worth about 0.3 points either way; other stats in proportion to the player's output
        scale = 1.0 if s == "pts" else base / np.maximum(col(rows, "pts_avg_last10"), 1.0)
        venue = 0.6 * (col(rows, "is_home") - 0.5) * scale
        b2b = np.where(col(rows, "is_back_to_back") > 0, 0.97, 1.0)
        center = base * fatigue * b2b + venue
        return Output(normal_interval(center, spread(rows, center, s)), "moving_average", "rule-v1", "rule")
