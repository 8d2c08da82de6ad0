"""Feature candidates measured by benchmarks/feature_experiments.py and not kept: each moved the
2022-23 validation MAE by less than the seed-to-seed noise (docs/EXPERIMENTS.md). Same
contract as processors/game_context.py: columns aligned with the roster's rows."""
from __future__ import annotations

import numpy as np
import pandas as pd

from processors import history as h

LEVEL_GAMES = 10        # a player's own level: his last 10 games
FORM_GAMES = 10         # a team's net rating: its last 10 games
OPP_GAMES = 15          # what an opponent allowed: its last 15 games


def team_form(inputs: h.Inputs, roster: pd.DataFrame) -> dict[str, np.ndarray]:
    """Net rating (points scored minus allowed per 100 possessions) over each team's last 10
    games before D; the difference between his team and the opponent is the blowout risk."""
    teams = inputs.teams
    codes = h.team_codes(teams["team_abbr"], roster["team_abbr"], roster["opponent_abbr"])
    keys = teams["team_abbr"].map(codes).to_numpy()
    pos = h.positions(keys)
    poss = h.rolling_sum(teams["possessions"].to_numpy(dtype=float), pos, FORM_GAMES)
    margin = h.rolling_sum((teams["pts"] - teams["opp_pts"]).to_numpy(dtype=float), pos, FORM_GAMES)
    net = 100 * h.ratio(margin, poss)
    dates = h.days(teams["game_date"])

    def of(col: str) -> np.ndarray:
        idx = h.asof_index(keys, dates, roster[col].map(codes).to_numpy(), h.days(roster["game_date"]))
        return h.take(net, idx)

    own, opp = of("team_abbr"), of("opponent_abbr")
    return {"team_net_rating_last10": own, "net_rating_diff": own - opp, "blowout_risk": np.abs(own - opp)}


def kind_of_player(ast: np.ndarray, reb: np.ndarray, fg3a: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """0 creator (5+ assists per 36), 1 big (8+ rebounds per 36), 2 shooter (6+ threes tried
    per 36), 3 the rest; from his games before D."""
    per36 = 36 / np.where(minutes > 0, minutes, np.nan)
    a, r, t = ast * per36, reb * per36, fg3a * per36
    return np.select([a >= 5, r >= 8, t >= 6], [0, 1, 2], 3)


def opponent_vs_kind(inputs: h.Inputs, roster: pd.DataFrame) -> dict[str, np.ndarray]:
    """How far above their own last-10 level players scored against this opponent over its last
    15 games: all players, and players of his kind."""
    hist = inputs.rolling_players()
    pos = h.positions(hist["player_id"].to_numpy())
    sums = {c: h.rolling_sum(hist[c].to_numpy(dtype=float), pos, LEVEL_GAMES)
            for c in ("pts", "ast", "reb", "fg3a", "minutes")}
    first = pos == 0
    before = {c: np.where(first, np.nan, np.r_[np.nan, v[:-1]]) for c, v in sums.items()}
    n_before = np.minimum(pos, LEVEL_GAMES).astype(float)
    resid = hist["pts"].to_numpy(dtype=float) - before["pts"] / np.where(n_before > 0, n_before, np.nan)
    kind = kind_of_player(before["ast"], before["reb"], before["fg3a"], before["minutes"])
    idx = h.asof_index(hist["player_id"].to_numpy(), h.days(hist["game_date"]),
                       roster["player_id"].to_numpy(), h.days(roster["game_date"]))
    own_kind = kind_of_player(*(h.take(sums[c], idx) for c in ("ast", "reb", "fg3a", "minutes")))

    games = hist.assign(resid=resid, kind=kind).dropna(subset=["resid"])
    codes = h.team_codes(games["opponent_abbr"], roster["opponent_abbr"])
    out = {}
    for label, key_of in (("opp_pts_over_level", None), ("opp_kind_pts_over_level", "kind")):
        extra = games[key_of].to_numpy() if key_of else 0
        q_extra = own_kind if key_of else 0
        g = games.assign(_k=games["opponent_abbr"].map(codes).to_numpy() * 10 + extra)
        per_game = g.groupby(["_k", "game_date"], sort=True)["resid"].agg(["sum", "count"]).reset_index()
        keys = per_game["_k"].to_numpy()
        p = h.positions(keys)
        s = h.rolling_sum(per_game["sum"].to_numpy(), p, OPP_GAMES)
        c = h.rolling_sum(per_game["count"].to_numpy(dtype=float), p, OPP_GAMES)
        q_keys = roster["opponent_abbr"].map(codes).to_numpy() * 10 + q_extra
        at = h.asof_index(keys, h.days(per_game["game_date"]), q_keys, h.days(roster["game_date"]))
        out[label] = h.take(h.ratio(s, c), at)
    out["player_kind"] = own_kind.astype(float)
    return out
