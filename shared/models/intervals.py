"""Calibrated p10/p50/p90 intervals: fitted at training time, applied at serving time.
One definition for both, so a served interval is the one that was validated."""
from __future__ import annotations

import numpy as np


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
