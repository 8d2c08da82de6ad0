"""A row's predictive distribution: 19 quantiles at 5 %, 10 %, ..., 95 %, from which p10/p50/p90,
P(over) at any line and calibration are read.

Every prop counts whole things (points, rebounds, threes), so the quantiles are those of the
continuity-corrected outcome Y = X + U, U uniform on (-1/2, 1/2): a continuous variable
whose quantiles carry everything the count's distribution says. For a whole number k,
P(X >= k) = P(Y > k - 1/2); so P(over 2.5) = P(X >= 3) = P(Y > 2.5), and a whole-number line
L has P(X > L) = P(Y > L + 1/2) and P(push) = P(L - 1/2 < Y < L + 1/2). The count quantile
a stored quantile q implies (the smallest k with P(X <= k) >= level) is ceil(q - 1/2).

Between the 19 quantiles the CDF is linear; beyond q05 and q95 it follows a normal tail with
the spread of the neighbouring 5-point step (q05-q10, q90-q95), floored at zero."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist

import numpy as np

LEVELS: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(1, 20))
COLUMNS: tuple[str, ...] = tuple(f"q{round(100 * lv):02d}" for lv in LEVELS)
Z: np.ndarray = np.array([NormalDist().inv_cdf(lv) for lv in LEVELS])     # the levels in standard deviations
Z10, Z90 = Z[1], Z[17]


def normal_quantiles(center, sigma) -> np.ndarray:
    """(rows, 19) quantiles of a normal, floored at zero: the rule systems' distribution."""
    center = np.atleast_1d(np.asarray(center, dtype=float))
    sigma = np.atleast_1d(np.asarray(sigma, dtype=float))
    return np.clip(center[:, None] + sigma[:, None] * Z[None, :], 0, None)


def from_three(p10, p50, p90) -> np.ndarray:
    """(rows, 19) quantiles from p10/p50/p90 alone: a split normal through the three (each
    side's spread from its own 40-point gap), floored at zero. The fallback for rows and
    models that carry only those three; it returns them unchanged at 10/50/90 %."""
    p10, p50, p90 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (p10, p50, p90))
    low, high = (p50 - p10) / -Z10, (p90 - p50) / Z90
    side = np.where(Z[None, :] < 0, low[:, None], high[:, None])
    return np.clip(p50[:, None] + side * Z[None, :], 0, None)


def monotone(quantiles) -> np.ndarray:
    """Quantiles sorted along each row (blends and bucket fits can cross by rounding)."""
    return np.maximum.accumulate(np.asarray(quantiles, dtype=float), axis=-1)


def cdf_rows(quantiles, x) -> np.ndarray:
    """P(Y <= x) per row: ``quantiles`` (rows, 19), ``x`` one value per row (see the module's
    note on the tails)."""
    q = np.atleast_2d(np.asarray(quantiles, dtype=float))
    x = np.broadcast_to(np.asarray(x, dtype=float), (len(q),))
    # the last quantile at or below x: a flat stretch (many rows at 0) counts fully
    i = (q <= x[:, None]).sum(axis=1) - 1
    rows = np.arange(len(q))
    inner = np.clip(i, 0, len(LEVELS) - 2)
    lo, hi = q[rows, inner], q[rows, inner + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(LEVELS)[inner] + 0.05 * (x - lo) / (hi - lo)
    for tail, k, j in ((i < 0, 0, 1), (i >= len(LEVELS) - 1, -1, -2)):
        if tail.any():
            step = np.maximum((q[tail, k] - q[tail, j]) / (Z[k] - Z[j]), 1e-9)
            z = Z[k] + (x[tail] - q[tail, k]) / step
            out[tail] = [0.5 * math.erfc(-v / math.sqrt(2)) for v in z]
    return out


def cdf(quantiles: Sequence[float], x: float) -> float:
    """P(Y <= x) for one row's 19 quantiles."""
    return float(cdf_rows([quantiles], [x])[0])


def over_under_rows(quantiles, line) -> tuple[np.ndarray, np.ndarray]:
    """P(X > line) and P(X < line) per row for a whole-number outcome X; at a whole-number
    line the rest is the push."""
    line = np.asarray(line, dtype=float)
    whole = line == np.floor(line)
    over = 1 - cdf_rows(quantiles, np.where(whole, line + 0.5, line))
    under = cdf_rows(quantiles, np.where(whole, line - 0.5, line))
    return over, under


def over_under(quantiles: Sequence[float], line: float) -> tuple[float, float]:
    over, under = over_under_rows([quantiles], [line])
    return float(over[0]), float(under[0])


def of_frame(rows) -> np.ndarray:
    """(rows, 19) from a frame of stored rows; rows written before the quantiles existed get
    them from their p10/p50/p90 (``from_three``)."""
    if all(c in rows.columns for c in COLUMNS):
        q = rows[list(COLUMNS)].to_numpy(dtype=float)
    else:
        q = np.full((len(rows), len(COLUMNS)), np.nan)
    missing = np.isnan(q).any(axis=1)
    if missing.any():
        old = rows[missing]
        q[missing] = from_three(old["p10"], old["p50"], old["p90"])
    return q


def of_row(row: Mapping) -> list[float]:
    """A stored row's 19 quantiles; a row written before they existed has them from its
    p10/p50/p90 (``from_three``)."""
    values = [row.get(c) for c in COLUMNS]
    present = [float(v) for v in values if v is not None]
    if len(present) == len(values) and all(v == v for v in present):
        return present
    return list(from_three(row["p10"], row["p50"], row["p90"])[0])
