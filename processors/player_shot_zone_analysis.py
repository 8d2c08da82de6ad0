"""PSZA: each rostered player's scoring by zone (twos, threes, free throws) over his last
10 and last 20 games before D."""
from __future__ import annotations

import numpy as np
import pandas as pd

from processors import history as h

WINDOWS = (10, 20)
ZONES = ("two", "three", "free_throw")

_PARTS = {
    "pts": lambda p: p["pts"], "two_pts": lambda p: 2 * (p["fgm"] - p["fg3m"]),
    "three_pts": lambda p: 3 * p["fg3m"], "free_throw_pts": lambda p: p["ftm"],
    "fg2m": lambda p: p["fgm"] - p["fg3m"], "fg2a": lambda p: p["fga"] - p["fg3a"],
    "fg3m": lambda p: p["fg3m"], "fg3a": lambda p: p["fg3a"], "ftm": lambda p: p["ftm"],
    "fta": lambda p: p["fta"], "fga": lambda p: p["fga"],
}


def compute(inputs: h.Inputs, roster: pd.DataFrame) -> pd.DataFrame:
    hist = inputs.rolling_players()
    keys = hist["player_id"].to_numpy()
    idx = h.asof_index(keys, h.days(hist["game_date"]), roster["player_id"].to_numpy(), h.days(roster["game_date"]))
    pos = h.positions(keys)
    parts = {k: f(hist).to_numpy(dtype=float) for k, f in _PARTS.items()}
    out = pd.DataFrame({"analysis_date": roster["game_date"], "player_id": roster["player_id"],
                        "team_abbr": roster["team_abbr"]})
    for w in WINDOWS:
        s = {k: h.take(h.rolling_sum(v, pos, w), idx) for k, v in parts.items()}
        out[f"games_last{w}"] = np.nan_to_num(h.take(h.rolling_count(pos, w), idx))
        for z in ZONES:
            out[f"{z}_pts_share_last{w}"] = h.ratio(s[f"{z}_pts"], s["pts"])
        out[f"fg2a_share_last{w}"] = h.ratio(s["fg2a"], s["fga"])
        out[f"fg3a_share_last{w}"] = h.ratio(s["fg3a"], s["fga"])
        out[f"ft_rate_last{w}"] = h.ratio(s["fta"], s["fga"])
        out[f"fg2_pct_last{w}"] = h.ratio(s["fg2m"], s["fg2a"])
        out[f"fg3_pct_last{w}"] = h.ratio(s["fg3m"], s["fg3a"])
        out[f"ft_pct_last{w}"] = h.ratio(s["ftm"], s["fta"])
    shares = np.column_stack([out[f"{z}_pts_share_last10"].to_numpy() for z in ZONES])
    has = ~np.isnan(shares).all(axis=1)
    out["primary_zone"] = np.where(has, np.array(ZONES)[np.nan_to_num(shares, nan=-1).argmax(axis=1)], None)
    return out
