"""Intervals calibrated per expected-minutes bucket: each bucket's p10-p90 covers about 80 %
of its own rows, where one set of quantiles for everybody covers the wide bucket too little
and the narrow one too much; an interval fitted before buckets existed still applies."""
from __future__ import annotations

import numpy as np

from shared.models.intervals import apply_interval, fit_interval


def coverage(actual, low, high) -> float:
    return float(np.mean((actual >= low) & (actual <= high)))


def test_each_expected_minutes_bucket_gets_its_own_quantiles():
    rng = np.random.default_rng(7)
    n = 20_000
    minutes = rng.choice([8.0, 34.0], n)                  # bench players and starters
    predicted = np.full(n, 30.0)                          # far from zero: no clipping at 0 in this test
    noise = np.where(minutes < 15, 1.0, 0.3) * rng.standard_normal(n) * np.sqrt(predicted + 1)
    actual = predicted + noise
    fitted, old = fit_interval(actual, predicted, minutes), fit_interval(actual, predicted)
    assert "buckets" in fitted and "buckets" not in old
    for bench in (True, False):
        rows = (minutes < 15) == bench
        low, _, high = apply_interval(predicted[rows], fitted, minutes[rows])
        assert abs(coverage(actual[rows], low, high) - 0.80) < 0.02
        low, _, high = apply_interval(predicted[rows], old)
        assert abs(coverage(actual[rows], low, high) - 0.80) > 0.05, "one set of quantiles misses both"
    low, _, high = apply_interval(predicted, fitted)      # no minutes given: the overall quantiles
    assert abs(coverage(actual, low, high) - 0.80) < 0.02
