"""From an interval and a sportsbook line: P(over), edge against the -110 price, and a call."""
from __future__ import annotations

import math

BREAK_EVEN = 110 / 210          # implied probability of a -110 price
CALL_MARGIN = 0.03


def over_probability(p10: float, p50: float, p90: float, line: float) -> float:
    sigma = max((p90 - p10) / (2 * 1.2816), 0.5)
    return 0.5 * math.erfc((line - p50) / (sigma * math.sqrt(2)))


def judge(p10: float, p50: float, p90: float, line: float | None) -> dict:
    if line is None:
        return {"line": None, "p_over": None, "edge": None, "recommendation": None}
    p = over_probability(p10, p50, p90, line)
    if p >= BREAK_EVEN + CALL_MARGIN:
        call, edge = "OVER", p - BREAK_EVEN
    elif 1 - p >= BREAK_EVEN + CALL_MARGIN:
        call, edge = "UNDER", (1 - p) - BREAK_EVEN
    else:
        call, edge = "PASS", max(p, 1 - p) - BREAK_EVEN
    return {"line": line, "p_over": p, "edge": edge, "recommendation": call}
