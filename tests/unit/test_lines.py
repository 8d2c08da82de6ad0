"""Pricing a line: the book's own prices set the break-even, the vig comes off the market's
P(over), and without prices the standard -110 both ways applies."""
from __future__ import annotations

import pytest

from ingest.importer.slate_inputs import decimal_price
from shared.distribution import from_three
from shared.pricing import BREAK_EVEN, judge, over_probability


def test_american_and_decimal_prices():
    assert decimal_price("-110") == pytest.approx(1.9091, abs=1e-4)
    assert decimal_price("+150") == pytest.approx(2.5) and decimal_price("1.87") == 1.87
    assert decimal_price("-50") is None and decimal_price("0.9") is None and decimal_price("evens") is None


def test_the_market_probability_has_the_vig_removed():
    out = judge(15, 22, 30, 22.5, over_price=decimal_price(-115), under_price=decimal_price(-105))
    raw_over, raw_under = 115 / 215, 105 / 205
    assert out["market_p_over"] == pytest.approx(raw_over / (raw_over + raw_under))
    assert out["p_over"] == pytest.approx(over_probability(from_three(15, 22, 30)[0], 22.5))


def test_the_edge_is_against_the_books_own_price():
    cheap = judge(15, 25, 35, 22.5, over_price=2.2, under_price=1.7)
    standard = judge(15, 25, 35, 22.5)
    assert cheap["recommendation"] == standard["recommendation"] == "OVER"
    assert cheap["edge"] == pytest.approx(cheap["p_over"] - 1 / 2.2)
    assert standard["edge"] == pytest.approx(standard["p_over"] - BREAK_EVEN) and standard["market_p_over"] is None
    assert judge(15, 20, 25, 20.0, over_price=1.91, under_price=1.91)["recommendation"] == "PASS"   # a coin flip


def test_no_line_no_call():
    assert set(judge(15, 20, 25, None).values()) == {None}
