"""PCF: composite factors per rostered player and D, from his workload, his zone mix
(PSZA) against the opponent's zone defence (TDZA), pace and rest of both teams."""
from __future__ import annotations

import numpy as np
import pandas as pd

from processors import history as h
from processors.player_daily_cache import player_history, usage_at, workload

ZONES = ("two", "three", "free_throw")


def fatigue_score(load: pd.DataFrame) -> np.ndarray:
    """0 (fresh) .. 100 (exhausted): rest, back-to-back and the last week's minutes."""
    rest = np.minimum(np.nan_to_num(load["rest_days"].to_numpy(dtype=float), nan=3.0), 4.0)
    score = (40 + 20 * load["is_back_to_back"].to_numpy(dtype=float) - 8 * (rest - 1)
             + 0.2 * (load["minutes_last7d"].to_numpy() - 70) + 4 * (load["games_last7d"].to_numpy() - 3)
             + 3 * load["back_to_backs_last14d"].to_numpy())
    return np.clip(score, 0, 100)


def compute(inputs: h.Inputs, roster: pd.DataFrame, tdza: pd.DataFrame, psza: pd.DataFrame) -> pd.DataFrame:
    hist = player_history(inputs)
    keys = hist["player_id"].to_numpy()
    idx = h.asof_index(keys, h.days(hist["game_date"]), roster["player_id"].to_numpy(), h.days(roster["game_date"]))
    pos = h.positions(keys)
    season_pos = h.positions(keys * 10_000 + hist["season_year"].to_numpy())
    in_season = h.take(hist["season_year"].to_numpy(), idx) == inputs.season
    load = workload(hist, roster)

    out = pd.DataFrame({"game_date": roster["game_date"], "player_id": roster["player_id"],
                        "team_abbr": roster["team_abbr"], "opponent_abbr": roster["opponent_abbr"]})
    out["fatigue_score"] = fatigue_score(load)

    zones = roster[["game_date", "player_id"]].merge(
        psza.rename(columns={"analysis_date": "game_date"}), on=["game_date", "player_id"], how="left")
    opp = roster[["game_date", "opponent_abbr"]].merge(
        tdza.drop(columns=["opponent_abbr"]).rename(columns={"analysis_date": "game_date",
                                                             "team_abbr": "opponent_abbr"}),
        on=["game_date", "opponent_abbr"], how="left")
    mismatch = np.zeros(len(roster))
    for z in ZONES:
        share = zones[f"{z}_pts_share_last10"].to_numpy(dtype=float)
        delta = opp[f"opp_{z}_pts_per_game_vs_league"].to_numpy(dtype=float)
        base = opp[f"opp_{z}_pts_per_game"].to_numpy(dtype=float) - delta
        mismatch = mismatch + share * h.ratio(delta, base)
    has_inputs = zones["two_pts_share_last10"].notna().to_numpy() & opp["opponent_pace"].notna().to_numpy()
    out["shot_zone_mismatch"] = np.where(has_inputs, 100 * mismatch, np.nan)

    team_pace, opp_pace, league_pace, team_rest, opp_rest = _team_factors(inputs, roster)
    out["pace_score"] = (team_pace + opp_pace) / 2 - league_pace
    usage_recent = usage_at(hist, idx, pos, 5)
    usage_season = np.where(in_season, usage_at(hist, idx, season_pos, None), usage_at(hist, idx, pos, 20))
    out["usage_spike"] = usage_recent - usage_season
    out["rest_advantage"] = np.minimum(team_rest, 3) - np.minimum(opp_rest, 3)
    out["rest_days"] = load["rest_days"].to_numpy()
    out["is_back_to_back"] = load["is_back_to_back"].to_numpy()
    return out


def _team_factors(inputs: h.Inputs, roster: pd.DataFrame):
    teams = inputs.rolling_teams()
    codes = h.team_codes(teams["team_abbr"], roster["team_abbr"], roster["opponent_abbr"])
    keys = teams["team_abbr"].map(codes).to_numpy()
    dates = h.days(teams["game_date"])
    pos = h.positions(keys)
    pace10 = h.ratio(h.rolling_sum(teams["pace"].to_numpy(), pos, 10), h.rolling_count(pos, 10))
    q_dates = h.days(roster["game_date"])
    result = []
    for col in ("team_abbr", "opponent_abbr"):
        idx = h.asof_index(keys, dates, roster[col].map(codes).to_numpy(), q_dates)
        result.append((h.take(pace10, idx), (q_dates - dates[np.maximum(idx, 0)]).astype(float), idx))
    order = np.argsort(dates, kind="stable")
    zero = np.zeros(len(teams), dtype=np.int64)
    q0 = np.zeros(len(roster), dtype=np.int64)
    lo = q_dates - np.timedelta64(30, "D")
    league = h.ratio(h.sum_between(zero, dates[order], teams["pace"].to_numpy()[order], q0, lo, q_dates),
                     h.count_between(zero, dates[order], q0, lo, q_dates))
    (tp, tr, ti), (op, orr, oi) = result
    return tp, op, league, np.where(ti >= 0, tr, np.nan), np.where(oi >= 0, orr, np.nan)
