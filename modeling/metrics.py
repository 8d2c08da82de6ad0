"""Accuracy metrics shared by training, evaluation and grading."""
from __future__ import annotations

import numpy as np

from shared import distribution


def accuracy(actual, predicted) -> dict:
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    err = predicted - actual
    if len(err) == 0:
        return {"n": 0, "mae": None, "rmse": None, "bias": None, "within_3": None, "within_5": None}
    return {
        "n": int(len(err)),
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err ** 2))),
        "bias": float(np.mean(err)),
        "within_3": float(np.mean(np.abs(err) <= 3)),
        "within_5": float(np.mean(np.abs(err) <= 5)),
    }


def coverage(actual, low, high) -> float | None:
    actual = np.asarray(actual, dtype=float)
    if len(actual) == 0:
        return None
    return float(np.mean((actual >= np.asarray(low)) & (actual <= np.asarray(high))))


def pinball(actual, quantiles) -> float | None:
    """Mean pinball (quantile) loss over rows and the 19 levels: a CRPS estimate (times 2)."""
    actual = np.asarray(actual, dtype=float)
    if len(actual) == 0:
        return None
    q = np.asarray(quantiles, dtype=float)
    levels = np.asarray(distribution.LEVELS)
    diff = actual[:, None] - q
    return float(np.mean(np.maximum(levels * diff, (levels - 1) * diff)))
