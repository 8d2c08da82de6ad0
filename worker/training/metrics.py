"""Accuracy metrics shared by training, evaluation and grading."""
from __future__ import annotations

import numpy as np


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


# Intervals: residuals scaled by sqrt(prediction + 1) (spread grows with the level, as for
# counts), their 10th/50th/90th percentiles measured on validation rows.
def interval_scale(predicted) -> np.ndarray:
    return np.sqrt(np.clip(np.asarray(predicted, dtype=float), 0, None) + 1)


def fit_interval(actual, predicted) -> dict:
    r = (np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float)) / interval_scale(predicted)
    q10, q50, q90 = np.quantile(r, [0.10, 0.50, 0.90])
    return {"method": "scaled_residual_quantiles", "scale": "sqrt(max(pred,0)+1)",
            "q10": float(q10), "q50": float(q50), "q90": float(q90)}


def apply_interval(predicted, interval: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    predicted = np.asarray(predicted, dtype=float)
    s = interval_scale(predicted)
    return (np.clip(predicted + interval["q10"] * s, 0, None), np.clip(predicted + interval["q50"] * s, 0, None),
            predicted + interval["q90"] * s)
