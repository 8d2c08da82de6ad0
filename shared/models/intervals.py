"""Calibrated p10/p50/p90 intervals: fitted at training time, applied at serving time.
One definition for both, so a served interval is the one that was validated."""
from __future__ import annotations

import numpy as np

# expected minutes (the last-10 average, known before tip-off): a bench player's night is
# wider for his level than a starter's, so each bucket gets its own residual quantiles
MINUTES_FEATURE = "minutes_avg_last10"
MINUTES_BUCKETS = (15.0, 25.0, 32.0)      # upper edges; the last bucket is open
MIN_BUCKET_ROWS = 300                     # fewer validation rows than this: the bucket uses the overall quantiles


# Intervals: residuals scaled by sqrt(prediction + 1) (spread grows with the level, as for
# counts), their 10th/50th/90th percentiles measured on validation rows.
def interval_scale(predicted) -> np.ndarray:
    return np.sqrt(np.clip(np.asarray(predicted, dtype=float), 0, None) + 1)


def _quantiles(r: np.ndarray) -> dict:
    q10, q50, q90 = np.quantile(r, [0.10, 0.50, 0.90])
    return {"q10": float(q10), "q50": float(q50), "q90": float(q90)}


def fit_interval(actual, predicted, minutes=None) -> dict:
    r = (np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float)) / interval_scale(predicted)
    fitted = {"method": "scaled_residual_quantiles", "scale": "sqrt(max(pred,0)+1)", **_quantiles(r)}
    if minutes is not None:
        bucket = np.searchsorted(MINUTES_BUCKETS, np.asarray(minutes, dtype=float), side="right")
        fitted["by"] = MINUTES_FEATURE
        fitted["buckets"] = [{"upto": edge, **(_quantiles(r[bucket == i]) if (bucket == i).sum() >= MIN_BUCKET_ROWS
                                              else {k: fitted[k] for k in ("q10", "q50", "q90")})}
                             for i, edge in enumerate((*MINUTES_BUCKETS, None))]
    return fitted


def apply_interval(predicted, interval: dict, minutes=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p10, p50, p90. An interval fitted per expected-minutes bucket needs ``minutes``; an
    older one (no buckets) applies its overall quantiles to every row."""
    predicted = np.asarray(predicted, dtype=float)
    s = interval_scale(predicted)
    q = {k: np.full(len(predicted), interval[k]) for k in ("q10", "q50", "q90")}
    if "buckets" in interval and minutes is not None:
        bucket = np.searchsorted(MINUTES_BUCKETS, np.asarray(minutes, dtype=float), side="right")
        for i, fitted in enumerate(interval["buckets"]):
            for k in q:
                q[k][bucket == i] = fitted[k]
    return (np.clip(predicted + q["q10"] * s, 0, None), np.clip(predicted + q["q50"] * s, 0, None),
            predicted + q["q90"] * s)
