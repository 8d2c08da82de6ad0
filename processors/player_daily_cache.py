"""PDC: each rostered player's recent form, workload and team context as of D."""
from __future__ import annotations

import numpy as np
import pandas as pd

from processors import history as h
from shared.props import PROPS

EWMA_HALFLIFE, EWMA_SPAN = 10, 30


def player_history(inputs: h.Inputs) -> pd.DataFrame:
    """Rolling-window player games with the team totals usage needs."""
    hist = inputs.rolling_players()
    team = inputs.teams[["game_id", "team_abbr", "fga", "fta", "tov", "minutes"]].rename(
        columns={"fga": "tm_fga", "fta": "tm_fta", "tov": "tm_tov", "minutes": "tm_minutes"})
    hist = hist.merge(team, on=["game_id", "team_abbr"], how="left")
    hist["usage_num"] = hist["fga"] + 0.44 * hist["fta"] + hist["tov"]
    hist["usage_den"] = (hist["tm_fga"] + 0.44 * hist["tm_fta"] + hist["tm_tov"]) * hist["minutes"] / (
        hist["tm_minutes"] / 5)
    gap = hist.groupby("player_id")["game_date"].diff().dt.days
    hist["back_to_back"] = (gap == 1).astype(float)
    return hist


def workload(hist: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Calendar-window load as of D (used by PDC and PCF)."""
    keys, dates = hist["player_id"].to_numpy(), h.days(hist["game_date"])
    q_keys, q_dates = roster["player_id"].to_numpy(), h.days(roster["game_date"])
    out = pd.DataFrame(index=roster.index)
    for d in (7, 14):
        lo = q_dates - np.timedelta64(d, "D")
        out[f"games_last{d}d"] = h.count_between(keys, dates, q_keys, lo, q_dates).astype(float)
        out[f"minutes_last{d}d"] = h.sum_between(keys, dates, hist["minutes"].to_numpy(), q_keys, lo, q_dates)
    out["back_to_backs_last14d"] = h.sum_between(keys, dates, hist["back_to_back"].to_numpy(), q_keys,
                                                 q_dates - np.timedelta64(14, "D"), q_dates)
    rest = (q_dates - h.days(roster["last_game_date"])).astype(float)
    out["rest_days"] = rest
    out["is_back_to_back"] = rest == 1
    return out


def usage_at(hist: pd.DataFrame, idx: np.ndarray, pos: np.ndarray, window: int | None) -> np.ndarray:
    num = h.rolling_sum(hist["usage_num"].to_numpy(), pos, window)
    den = h.rolling_sum(hist["usage_den"].to_numpy(), pos, window)
    return 100 * h.ratio(h.take(num, idx), h.take(den, idx))


def compute(inputs: h.Inputs, roster: pd.DataFrame) -> pd.DataFrame:
    hist = player_history(inputs)
    keys = hist["player_id"].to_numpy()
    q_dates = h.days(roster["game_date"])
    idx = h.asof_index(keys, h.days(hist["game_date"]), roster["player_id"].to_numpy(), q_dates)
    pos = h.positions(keys)
    season_pos = h.positions(keys * 10_000 + hist["season_year"].to_numpy())
    in_season = h.take(hist["season_year"].to_numpy(), idx) == inputs.season

    def roll(col: str, window: int | None, p=pos) -> np.ndarray:
        return h.take(h.rolling_sum(hist[col].to_numpy(), p, window), idx)

    def count(window: int | None, p=pos) -> np.ndarray:
        return h.take(h.rolling_count(p, window), idx)

    out = pd.DataFrame({"cache_date": roster["game_date"], "player_id": roster["player_id"],
                        "player_name": roster["player_name"], "team_abbr": roster["team_abbr"]})
    for w in (5, 10):
        out[f"pts_avg_last{w}"] = h.ratio(roll("pts", w), count(w))
    n_season = np.where(in_season, count(None, season_pos), 0.0)
    out["pts_avg_season"] = np.where(in_season, h.ratio(roll("pts", None, season_pos), n_season), np.nan)
    out["pts_ewma"] = h.take(h.truncated_ewm(hist["pts"].to_numpy(), pos, EWMA_HALFLIFE, EWMA_SPAN), idx)
    hist["pts_sq"] = hist["pts"].astype(float) ** 2
    n10 = count(10)
    s10, sq10 = roll("pts", 10), roll("pts_sq", 10)
    out["pts_std_last10"] = np.sqrt(np.clip(h.ratio(sq10 - s10 ** 2 / n10, n10 - 1), 0, None))
    out["minutes_avg_last10"] = h.ratio(roll("minutes", 10), n10)
    out["minutes_avg_season"] = np.where(in_season, h.ratio(roll("minutes", None, season_pos), n_season), np.nan)
    out["pts_per_minute_last10"] = h.ratio(s10, roll("minutes", 10))
    out["usage_rate_last10"] = usage_at(hist, idx, pos, 10)
    out["true_shooting_pct_last10"] = h.ratio(s10, 2 * (roll("fga", 10) + 0.44 * roll("fta", 10)))
    for prop in PROPS:
        if prop.stat != "pts":
            _stat_block(out, hist, prop, roll, count, np.where(in_season, 1.0, np.nan), season_pos, n_season, idx, pos)
    out["games_played_season"] = n_season
    out["games_in_window"] = np.nan_to_num(count(None))
    load = workload(hist, roster)
    out = pd.concat([out, load], axis=1)
    team = _team_context(inputs, roster)
    out["team_pace_last10"], out["team_off_rating_last10"] = team
    out["has_5_games"] = out["games_in_window"] >= 5
    out["has_10_games"] = out["games_in_window"] >= 10
    out["has_10_season_games"] = out["games_played_season"] >= 10
    return out


def _stat_block(out, hist, prop, roll, count, in_season, season_pos, n_season, idx, pos) -> None:
    """The rolling block of one prop's stat (shared.features.stat_block), as points has its own."""
    s = prop.stat
    hist[s] = prop.actual(hist).astype(float)
    hist[f"{s}_sq"] = hist[s] ** 2
    out[f"{s}_ewma"] = h.take(h.truncated_ewm(hist[s].to_numpy(), pos, EWMA_HALFLIFE, EWMA_SPAN), idx)
    for w in (5, 10):
        out[f"{s}_avg_last{w}"] = h.ratio(roll(s, w), count(w))
    out[f"{s}_avg_season"] = in_season * h.ratio(roll(s, None, season_pos), n_season)
    n10, s10 = count(10), roll(s, 10)
    out[f"{s}_std_last10"] = np.sqrt(np.clip(h.ratio(roll(f"{s}_sq", 10) - s10 ** 2 / n10, n10 - 1), 0, None))
    out[f"{s}_per_minute_last10"] = h.ratio(s10, roll("minutes", 10))


def _team_context(inputs: h.Inputs, roster: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    teams = inputs.rolling_teams()
    codes = h.team_codes(teams["team_abbr"], roster["team_abbr"])
    keys = teams["team_abbr"].map(codes).to_numpy()
    idx = h.asof_index(keys, h.days(teams["game_date"]), roster["team_abbr"].map(codes).to_numpy(),
                       h.days(roster["game_date"]))
    pos = h.positions(keys)
    n = h.take(h.rolling_count(pos, 10), idx)
    pace = h.ratio(h.take(h.rolling_sum(teams["pace"].to_numpy(), pos, 10), idx), n)
    off = 100 * h.ratio(h.take(h.rolling_sum(teams["pts"].to_numpy(), pos, 10), idx),
                        h.take(h.rolling_sum(teams["possessions"].to_numpy(), pos, 10), idx))
    return pace, off
