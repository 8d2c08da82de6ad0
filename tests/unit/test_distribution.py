"""A row's distribution: P(over) read from its 19 quantiles counts whole outcomes (over 2.5
is three or more), a whole-number line leaves the push out, rows with only p10/p50/p90 still
price, and fitted quantiles are monotone and calibrated on the continuity-corrected outcome."""
from __future__ import annotations

import numpy as np
import pytest

from shared import distribution
from shared.models.intervals import apply_distribution, fit_interval
from shared.pricing import judge, over_probability, over_probability_rows


def _threes_quantiles() -> list[float]:
    """The continuity-corrected quantiles of a count with P(0)=.3, P(1)=.3, P(2)=.2, P(3)=.2:
    inside [k - 1/2, k + 1/2] the CDF rises linearly by P(k)."""
    pmf = {0: 0.3, 1: 0.3, 2: 0.2, 3: 0.2}
    out = []
    for level in distribution.LEVELS:
        below = 0.0
        for k, p in pmf.items():
            if below + p >= level - 1e-12:
                out.append(k - 0.5 + (level - below) / p)
                break
            below += p
    return out


def test_over_a_half_point_line_is_the_chance_of_the_next_whole_number():
    q = _threes_quantiles()
    assert over_probability(q, 2.5) == pytest.approx(0.2)           # P(X >= 3)
    assert over_probability(q, 1.5) == pytest.approx(0.4)           # P(X >= 2)
    assert over_probability(q, 0.5) == pytest.approx(0.7)           # P(X >= 1)


def test_a_whole_number_line_prices_without_the_push():
    over, under = distribution.over_under(_threes_quantiles(), 2.0)
    assert (over, under) == (pytest.approx(0.2), pytest.approx(0.6))   # P(X = 2) = .2 is the push
    assert over_probability(_threes_quantiles(), 2.0) == pytest.approx(0.25)
    out = judge(0, 0, 0, 2.0, quantiles=_threes_quantiles())
    assert out["p_over"] == pytest.approx(0.25) and out["recommendation"] == "UNDER"


def test_a_stored_row_without_quantiles_prices_from_its_three():
    row = {"p10": 15.0, "p50": 22.0, "p90": 30.0}
    q = distribution.of_row(row)
    assert (q[1], q[9], q[17]) == (pytest.approx(15), pytest.approx(22), pytest.approx(30))
    assert judge(15, 22, 30, 22.5)["p_over"] == judge(15, 22, 30, 22.5, quantiles=q)["p_over"]
    stored = {**row, **dict(zip(distribution.COLUMNS, _threes_quantiles(), strict=True))}
    assert distribution.of_row(stored) == _threes_quantiles()


def test_tails_beyond_q05_and_q95_stay_inside_zero_and_one():
    q = _threes_quantiles()
    assert 0 < distribution.cdf(q, -0.6) < 0.05 and 0.95 < distribution.cdf(q, 4) < 1
    assert over_probability(q, 40.5) < 1e-6


def test_fitted_quantiles_are_monotone_and_cover_their_levels_on_a_count():
    rng = np.random.default_rng(3)
    n = 40_000
    minutes = rng.uniform(5, 38, n)
    mean = minutes / 12                                    # a threes-like count: mostly 0-3
    actual = rng.poisson(mean).astype(float)
    fitted = fit_interval(actual[: n // 2], mean[: n // 2], minutes[: n // 2])
    q = apply_distribution(mean[n // 2:], fitted, minutes[n // 2:])
    held = actual[n // 2:]
    assert q.shape == (n // 2, 19) and (np.diff(q, axis=1) >= 0).all() and (q >= 0).all()
    count = np.ceil(q - 0.5)                              # the count quantile each one implies
    below, at_or_below = (held[:, None] < count).mean(axis=0), (held[:, None] <= count).mean(axis=0)
    levels = np.asarray(distribution.LEVELS)
    assert ((below - 0.02 <= levels) & (levels <= at_or_below + 0.02)).all()
    p = over_probability_rows(q, np.full(len(q), 1.5))
    assert abs(p.mean() - (held >= 2).mean()) < 0.03


def test_a_fit_with_only_three_quantiles_still_serves_nineteen():
    old = {"method": "scaled_residual_quantiles", "q10": -1.0, "q50": 0.0, "q90": 1.5}
    q = apply_distribution([9.0, 16.0], old)
    assert q.shape == (2, 19) and (np.diff(q, axis=1) >= 0).all()
    assert q[0, 1] == pytest.approx(9 - np.sqrt(10)) and q[0, 17] == pytest.approx(9 + 1.5 * np.sqrt(10))


def test_threes_are_bucketed_by_the_predicted_level_where_the_shape_changes():
    rng = np.random.default_rng(5)
    n = 60_000
    mean = rng.uniform(0.2, 3.0, n)
    actual = rng.poisson(mean).astype(float)
    minutes = rng.uniform(10, 36, n)                       # says nothing here: the level does
    fit, held = slice(0, n // 2), slice(n // 2, n)
    by_level = fit_interval(actual[fit], mean[fit], minutes[fit], prop="threes")
    by_minutes = fit_interval(actual[fit], mean[fit], minutes[fit], prop="assists")
    assert by_level["by"] == "predicted" and by_minutes["by"] == "minutes_avg_last10"
    misses = {}
    for name, fitted in (("level", by_level), ("minutes", by_minutes)):
        q = apply_distribution(mean[held], fitted, minutes[held])
        p = over_probability_rows(q, np.full(len(q), 0.5))
        low = mean[held] < 0.6                             # where most nights are zero
        misses[name] = abs(p[low].mean() - (actual[held][low] >= 1).mean())
    assert misses["level"] < 0.03 < misses["minutes"], misses
