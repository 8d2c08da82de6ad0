"""A model's predictive distribution: fitted at training time (or refitted by `calibrate` on
the model's own validation window), applied at serving time. One definition for both, so a
served distribution is the one that was validated.

The distribution is the prediction plus residual quantiles at the 19 levels of
shared/distribution.py, residuals scaled by sqrt(prediction + 1) (spread grows with the level,
as for counts) and measured per expected-minutes bucket. Outcomes are whole numbers, so the
residuals are those of the continuity-corrected outcome (actual + U, U uniform on ±1/2):
P(over 2.5) read from the quantiles is then P(actual >= 3)."""
from __future__ import annotations

import numpy as np

from shared import distribution

# expected minutes (the last-10 average, known before tip-off): a bench player's night is
# wider for his level than a starter's, so each bucket gets its own residual quantiles
MINUTES_FEATURE = "minutes_avg_last10"
MINUTES_BUCKETS = (15.0, 25.0, 32.0)      # upper edges; the last bucket is open
MIN_BUCKET_ROWS = 300                     # fewer validation rows than this: the bucket uses the overall quantiles
# Threes are bucketed by the predicted level instead (20 bins at the validation predictions'
# 5 %, 10 %, ... 95 % points): a 0.3-threes night and a 2.5-threes night differ in shape (the
# mass at zero), not only in spread, and minutes buckets mix them. Measured on 2023-24: the
# worst P(over) reliability bin went from 9.9 to 2.3 points off (docs/EXPERIMENTS.md); the
# other props measured no better so.
BY_PREDICTED = ("threes",)
PREDICTED_BINS = 20
JITTER_COPIES = 4                         # each validation row enters with this many draws of U (fixed seed)
METHOD = "scaled_residual_quantiles"


def interval_scale(predicted) -> np.ndarray:
    return np.sqrt(np.clip(np.asarray(predicted, dtype=float), 0, None) + 1)


def _quantiles(r: np.ndarray) -> dict:
    q = np.quantile(r, distribution.LEVELS)
    return {"q10": float(q[1]), "q50": float(q[9]), "q90": float(q[17]), "quantiles": [float(v) for v in q]}


def _edges(fitted: dict) -> tuple[float, ...]:
    return tuple(fitted["edges"]) if fitted.get("by") == "predicted" else MINUTES_BUCKETS


def _bucket(fitted: dict, predicted, minutes) -> np.ndarray:
    key = predicted if fitted.get("by") == "predicted" else minutes
    return np.searchsorted(_edges(fitted), np.asarray(key, dtype=float), side="right")


def fit_interval(actual, predicted, minutes=None, prop: str | None = None) -> dict:
    """Residual quantiles at the 19 levels (and q10/q50/q90 beside them, which older readers
    use), overall and per bucket: of expected minutes when ``minutes`` is given, of the
    predicted level for the props in BY_PREDICTED."""
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    u = np.random.default_rng(0).uniform(-0.5, 0.5, (JITTER_COPIES, len(actual)))
    r = ((actual + u - predicted) / interval_scale(predicted)).ravel()
    fitted = {"method": METHOD, "scale": "sqrt(max(pred,0)+1)", "outcome": "actual + uniform(-0.5, 0.5)",
              "levels": list(distribution.LEVELS), **_quantiles(r)}
    if prop in BY_PREDICTED:
        fitted["by"] = "predicted"
        fitted["edges"] = [float(e) for e in np.unique(np.quantile(predicted, np.linspace(0.05, 0.95,
                                                                                         PREDICTED_BINS - 1)))]
    elif minutes is not None:
        fitted["by"] = MINUTES_FEATURE
    else:
        return fitted
    bucket = np.tile(_bucket(fitted, predicted, minutes), JITTER_COPIES)
    overall = {k: fitted[k] for k in ("q10", "q50", "q90", "quantiles")}
    fitted["buckets"] = [{"upto": edge, **(_quantiles(r[bucket == i])
                                           if (bucket == i).sum() >= MIN_BUCKET_ROWS * JITTER_COPIES else overall)}
                         for i, edge in enumerate((*_edges(fitted), None))]
    return fitted


def _residual_quantiles(fitted: dict) -> np.ndarray:
    """The 19 residual quantiles of a fit; a fit that has only q10/q50/q90 (models trained
    before the 19) gets the split normal through them (shared/distribution.py from_three)."""
    if "quantiles" in fitted:
        return np.asarray(fitted["quantiles"], dtype=float)
    z = distribution.Z
    low, high = (fitted["q50"] - fitted["q10"]) / -z[1], (fitted["q90"] - fitted["q50"]) / z[17]
    return fitted["q50"] + np.where(z < 0, low, high) * z


def apply_distribution(predicted, interval: dict, minutes=None) -> np.ndarray:
    """(rows, 19) quantiles, floored at zero. A fit per expected-minutes bucket needs
    ``minutes``; without them (or an older fit without buckets) every row gets the overall
    quantiles. A fit per predicted level needs nothing more."""
    predicted = np.atleast_1d(np.asarray(predicted, dtype=float))
    r = np.tile(_residual_quantiles(interval), (len(predicted), 1))
    if "buckets" in interval and (minutes is not None or interval.get("by") == "predicted"):
        bucket = _bucket(interval, predicted, minutes)
        for i, fitted in enumerate(interval["buckets"]):
            r[bucket == i] = _residual_quantiles(fitted)
    return distribution.monotone(np.clip(predicted[:, None] + r * interval_scale(predicted)[:, None], 0, None))


def apply_interval(predicted, interval: dict, minutes=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p10, p50, p90: the distribution's 10th, 50th and 90th percentiles."""
    q = apply_distribution(predicted, interval, minutes)
    return q[:, 1], q[:, 9], q[:, 17]
