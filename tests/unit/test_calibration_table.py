"""evaluate's distribution tables on hand-made rows: the line proxy is the last-10 mean to the
nearest half point, the bettor's baseline is the share of those ten games over it, a push is
left out, and every system is scored on the same rows."""
from __future__ import annotations

import pandas as pd
import pytest

from modeling.calibration import BASELINE, calibrate
from shared import distribution
from tests.unit.test_distribution import _threes_quantiles

DAYS = pd.date_range("2024-01-01", periods=13, freq="D")
RECENT = [0, 1, 2, 3, 0, 1, 2, 3, 1, 1]       # mean 1.4: the proxy line is 1.5, four of ten went over


def _history(last: list[float]) -> pd.DataFrame:
    values = [5, 5, *RECENT, *last][: len(DAYS)]
    return pd.DataFrame({"game_date": DAYS[: len(values)], "player_id": 7, "minutes": 30.0, "threes": values})


def _graded(actual: float, day) -> pd.DataFrame:
    sure_over = [3.0 + 0.01 * k for k in range(19)]       # a system certain of three or more
    rows = []
    for system, q in (("counts", _threes_quantiles()), ("sure", sure_over)):
        rows.append({"game_date": day, "player_id": 7, "system": system, "prop": "threes", "actual": actual,
                     "p10": q[1], "p50": q[9], "p90": q[17], "line": None,
                     **dict(zip(distribution.COLUMNS, q, strict=True))})
    return pd.DataFrame(rows)


def test_proxy_line_baseline_and_scores_on_one_row():
    cal = calibrate(_graded(2.0, DAYS[12]), _history([2.0]))
    scores = cal.scores.set_index("system")
    assert set(scores["lines"]) == {"proxy"} and (scores["n"] == 1).all()      # no posted lines here
    # P(over 1.5) = P(X >= 2) = 0.4; it went over (2): Brier (1 - 0.4)^2; the baseline says 4/10 too
    assert scores.loc["counts", "brier"] == pytest.approx(0.36)
    assert scores.loc["counts", "brier_last10"] == pytest.approx(0.36)
    assert scores.loc["sure", "brier"] == pytest.approx(0.0, abs=1e-6)
    base = cal.reliability[cal.reliability["system"] == BASELINE]
    assert list(base["bin"]) == [4] and list(base["n"]) == [1]                # once, not once per system
    assert set(cal.pinball["system"]) == {"counts", "sure"}


def test_a_push_is_neither_over_nor_under():
    history = _history([2.0])
    history.loc[2:11, "threes"] = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]             # mean 1.5 -> proxy 1.5 (no push)
    assert calibrate(_graded(2.0, DAYS[12]), history).scores["n"].tolist() == [1, 1]
    history.loc[2:11, "threes"] = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]             # mean 2 -> line 2.0, actual 2: a push
    assert calibrate(_graded(2.0, DAYS[12]), history).scores.empty


def test_quantile_shares_use_the_count_each_quantile_implies():
    cal = calibrate(_graded(2.0, DAYS[12]), _history([2.0]))
    shares = cal.quantiles[cal.quantiles["system"] == "counts"].set_index("level")
    # the count quantiles of P(0)=.3, P(1)=.3, P(2)=.2, P(3)=.2: the median is 1, the 70th percentile 2
    assert shares.loc[0.5, "below"] == 0 and shares.loc[0.5, "at_or_below"] == 0      # 2 > 1
    assert shares.loc[0.7, "below"] == 0 and shares.loc[0.7, "at_or_below"] == 1      # 2 == 2
    assert shares.loc[0.85, "below"] == 1                                              # 2 < 3
