"""Pricing a prediction against a sportsbook line, in one place for the worker (at prediction
time) and whoever re-prices stored rows: P(over), the market's vig-free P(over), the edge
against the book's own prices (-110 both ways when none are known), and a call."""
from __future__ import annotations

import math

STANDARD_PRICE = 210 / 110      # decimal odds of -110
BREAK_EVEN = 1 / STANDARD_PRICE
CALL_MARGIN = 0.03


def over_probability(p10: float, p50: float, p90: float, line: float) -> float:
    sigma = max((p90 - p10) / (2 * 1.2816), 0.5)
    return 0.5 * math.erfc((line - p50) / (sigma * math.sqrt(2)))


def judge(p10: float, p50: float, p90: float, line: float | None, over_price: float | None = None,
          under_price: float | None = None) -> dict:
    if line is None:
        return {"line": None, "p_over": None, "market_p_over": None, "edge": None, "recommendation": None}
    p = over_probability(p10, p50, p90, line)
    priced = over_price is not None and under_price is not None
    over_cost = 1 / over_price if over_price is not None and under_price is not None else BREAK_EVEN
    under_cost = 1 / under_price if over_price is not None and under_price is not None else BREAK_EVEN
    market = over_cost / (over_cost + under_cost) if priced else None
    over_edge, under_edge = p - over_cost, (1 - p) - under_cost
    if over_edge >= CALL_MARGIN:
        call, edge = "OVER", over_edge
    elif under_edge >= CALL_MARGIN:
        call, edge = "UNDER", under_edge
    else:
        call, edge = "PASS", max(over_edge, under_edge)
    return {"line": line, "p_over": p, "market_p_over": market, "edge": edge, "recommendation": call}
