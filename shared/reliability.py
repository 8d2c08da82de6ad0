"""Is P(over) what happens? The line proxy where no line was posted, and reliability bins:
one definition for `evaluate` (modeling/calibration.py) and the console's Accuracy page."""
from __future__ import annotations

import numpy as np

BINS = 10


def line_proxy(last10_mean) -> np.ndarray:
    """A line where none was posted: the player's last-10 mean rounded to the nearest half point."""
    return np.floor(np.asarray(last10_mean, dtype=float) * 2 + 0.5) / 2


def reliability_bins(p, over) -> list[dict]:
    """Ten bins of P(over) (0-10 %, ..., 90-100 %): rows, mean P(over) and the share that went over."""
    p, over = np.asarray(p, dtype=float), np.asarray(over, dtype=float)
    which = np.minimum((p * BINS).astype(int), BINS - 1)
    return [{"bin": b, "n": int((which == b).sum()), "mean_p": float(p[which == b].mean()),
             "observed": float(over[which == b].mean())} for b in range(BINS) if (which == b).any()]
