"""Pricing a prediction against a sportsbook line, in one place for the worker (at prediction
time) and whoever re-prices stored rows: P(over) read from the row's distribution (its 19
quantiles, shared/distribution.py; a row with only p10/p50/p90 gets the split normal through
them), the market's vig-free P(over), the edge against the book's own prices (-110 both ways
when none are known), and a call. Outcomes are whole numbers: P(over 2.5) = P(X >= 3); at a
whole-number line a push refunds the stake, so the probabilities compared with the prices
are those given no push."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shared import distribution

STANDARD_PRICE = 210 / 110      # decimal odds of -110
BREAK_EVEN = 1 / STANDARD_PRICE
CALL_MARGIN = 0.03   # the default of PIPELINE_CALL_MARGIN; docs/LEDGER.md says what it rests on


def over_probability_rows(quantiles, line) -> np.ndarray:
    """P(over) given no push, per row of (rows, 19) quantiles (evaluation reads it so)."""
    over, under = distribution.over_under_rows(quantiles, line)
    total = over + under
    return np.where(total > 0, over / np.where(total > 0, total, 1), 0.5)


def over_probability(quantiles: Sequence[float], line: float) -> float:
    """P(over) given no push, from a row's 19 quantiles."""
    return float(over_probability_rows([quantiles], [line])[0])


def judge(p10: float, p50: float, p90: float, line: float | None, over_price: float | None = None,
          under_price: float | None = None, quantiles: Sequence[float] | None = None,
          margin: float = CALL_MARGIN) -> dict:
    """``quantiles``: the row's q05..q95 (a stored row's: ``distribution.of_row(row)``); without
    them, the split normal through p10/p50/p90."""
    if line is None:
        return {"line": None, "p_over": None, "market_p_over": None, "edge": None, "recommendation": None}
    if quantiles is None:
        quantiles = distribution.from_three(p10, p50, p90)[0]
    p = over_probability(quantiles, line)
    priced = over_price is not None and under_price is not None
    over_cost = 1 / over_price if over_price is not None and under_price is not None else BREAK_EVEN
    under_cost = 1 / under_price if over_price is not None and under_price is not None else BREAK_EVEN
    market = over_cost / (over_cost + under_cost) if priced else None
    over_edge, under_edge = p - over_cost, (1 - p) - under_cost
    if over_edge >= margin:
        call, edge = "OVER", over_edge
    elif under_edge >= margin:
        call, edge = "UNDER", under_edge
    else:
        call, edge = "PASS", max(over_edge, under_edge)
    return {"line": line, "p_over": p, "market_p_over": market, "edge": edge, "recommendation": call}
