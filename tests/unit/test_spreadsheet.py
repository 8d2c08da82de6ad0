"""Text cells that a spreadsheet would run as a formula are quoted; everything else,
numbers above all, is written as it was."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from shared.spreadsheet import cell, text_cells


@pytest.mark.parametrize("text", ["=1+1", "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1",
                                  '=HYPERLINK("http://evil.example","x")'])
def test_text_that_starts_a_formula_is_quoted(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", ["LeBron James", "O'Neal", " =1+1", "", "1-1", -0.05, -3, None, date(2024, 1, 16)])
def test_anything_else_is_unchanged(value):
    assert cell(value) is value


def test_only_text_columns_are_touched():
    frame = pd.DataFrame({"player_name": ["=1+1", "Ann", None], "edge": [-0.05, 0.1, None],
                          "player_id": pd.array([-1, 2, None], dtype="Int64"),
                          "book": pd.array(["@x", None, "fanduel"], dtype="string"),
                          "game_date": [date(2024, 1, 16)] * 3})
    out = text_cells(frame)
    assert out["player_name"].tolist()[:2] == ["'=1+1", "Ann"] and pd.isna(out["player_name"].iloc[2])
    assert out["book"].tolist()[0] == "'@x" and out["book"].dtype == frame["book"].dtype
    assert out["edge"].tolist()[:2] == [-0.05, 0.1] and out["edge"].dtype == frame["edge"].dtype
    assert out["player_id"].tolist()[:2] == [-1, 2] and out["game_date"].tolist() == frame["game_date"].tolist()
    assert frame["player_name"].iloc[0] == "=1+1", "the caller's frame is not changed"
