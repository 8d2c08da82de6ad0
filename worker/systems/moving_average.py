"""Weighted recent averages, adjusted for fatigue, venue and back-to-backs."""
from __future__ import annotations

import numpy as np

from worker.systems.base import Context, Output, col, normal_interval, spread

WEIGHTS = {"pts_avg_last5": 0.45, "pts_avg_last10": 0.35, "pts_avg_season": 0.20}


class MovingAverage:
    name = "moving_average"

    def predict(self, rows, ctx: Context) -> Output:
        base = sum(w * col(rows, c) for c, w in WEIGHTS.items())
        fatigue = 1 - 0.0015 * (col(rows, "fatigue_score") - 40)
        venue = 0.6 * (col(rows, "is_home") - 0.5)          # +-0.3 points
        b2b = np.where(col(rows, "is_back_to_back") > 0, 0.97, 1.0)
        center = base * fatigue * b2b + venue
        return Output(normal_interval(center, spread(rows, center)), "moving_average", "rule-v1", "rule")
