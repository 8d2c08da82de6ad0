"""A recency-weighted average: the prop's EWMA (half-life 10 games) leaning a tenth toward
the last five games, three per cent lower on the second night of a back-to-back. Chosen on
2022-23 among simple blends and adjustments, confirmed on 2023-24 (docs/EXPERIMENTS.md):
it beats the EWMA on every prop there; the fatigue and home-court terms it used to carry
made it worse than the EWMA, so they are gone."""
from __future__ import annotations

import numpy as np

from worker.systems.base import Context, Output, col, normal_interval, spread, stat

RECENT = 0.10          # the weight of the last-5 mean beside the EWMA
BACK_TO_BACK = 0.97


def level(rows, prefix: str) -> np.ndarray:
    """The player's current level in a stat: the EWMA leaning toward his last five games."""
    return (1 - RECENT) * col(rows, f"{prefix}_ewma") + RECENT * col(rows, f"{prefix}_avg_last5")


def rested(rows) -> np.ndarray:
    return np.where(col(rows, "is_back_to_back") > 0, BACK_TO_BACK, 1.0)


class MovingAverage:
    name = "moving_average"

    def predict(self, rows, ctx: Context) -> Output:
        s = stat(ctx)
        center = level(rows, s) * rested(rows)
        return Output(normal_interval(center, spread(rows, center, s)), "moving_average", "rule-v2", "rule")
