"""MLFS: one row per rostered player and D with the fixed, ordered feature vector of
``processors.features``, a quality score and the inputs that were missing."""
from __future__ import annotations

import numpy as np
import pandas as pd

from processors import game_context
from processors import history as h
from shared.features import STAT_FEATURES, STORE_VERSION
from shared.features import STORE_FEATURES as FEATURES
from shared.features import STORE_NAMES as NAMES


def compute(inputs: h.Inputs, roster: pd.DataFrame, pdc: pd.DataFrame, psza: pd.DataFrame,
            tdza: pd.DataFrame, pcf: pd.DataFrame) -> pd.DataFrame:
    keys = ["game_date", "player_id"]
    base = roster[["game_date", "player_id", "player_name", "team_abbr", "opponent_abbr", "game_id", "is_home"]]
    sources = {
        "PDC": pdc.rename(columns={"cache_date": "game_date"}).drop(columns=["player_name", "team_abbr"]),
        "PSZA": psza.rename(columns={"analysis_date": "game_date"}).drop(columns=["team_abbr"]),
        "PCF": pcf.drop(columns=["team_abbr", "opponent_abbr", "rest_days", "is_back_to_back"]),
    }
    frame = base.copy()
    missing_sources = {}
    for name, src in sources.items():
        marker = f"_has_{name}"
        frame = frame.merge(src.assign(**{marker: True}), on=keys, how="left")
        missing_sources[name] = frame[marker].isna().to_numpy()
    opp = tdza.drop(columns=["opponent_abbr"]).rename(columns={"analysis_date": "game_date",
                                                               "team_abbr": "opponent_abbr"})
    frame = frame.merge(opp.assign(_has_TDZA=True), on=["game_date", "opponent_abbr"], how="left")
    missing_sources["TDZA"] = frame["_has_TDZA"].isna().to_numpy()

    f = pd.DataFrame(index=frame.index)
    for col in ("pts_avg_last5", "pts_avg_last10", "pts_avg_season", "pts_ewma", "pts_std_last10",
                "minutes_avg_last10", "minutes_avg_season", "pts_per_minute_last10", "usage_rate_last10",
                "true_shooting_pct_last10", *(f.name for f in STAT_FEATURES), "games_played_season",
                "games_last7d", "games_last14d", "minutes_last7d", "fatigue_score", "shot_zone_mismatch",
                "pace_score", "usage_spike", "rest_advantage", "two_pts_share_last10", "three_pts_share_last10",
                "free_throw_pts_share_last10", "team_pace_last10", "team_off_rating_last10"):
        f[col] = frame[col].astype(float)
    f["rest_days"] = np.minimum(frame["rest_days"].astype(float), 10)
    f["is_back_to_back"] = frame["is_back_to_back"].astype(float)
    f["is_home"] = frame["is_home"].map({True: 1.0, False: 0.0}).astype(float)
    f["recent_trend"] = f["pts_avg_last5"] - f["pts_avg_season"]
    f["minutes_change"] = f["minutes_avg_last10"] - f["minutes_avg_season"]
    f["opp_defensive_rating"] = frame["defensive_rating"].astype(float)
    f["opp_pace"] = frame["opponent_pace"].astype(float)
    for z in ("two", "three", "free_throw"):
        f[f"opp_{z}_pts_vs_league"] = frame[f"opp_{z}_pts_per_game_vs_league"].astype(float)
    f["team_win_pct_season"] = _team_win_pct(inputs, base)
    f["pts_vs_opp_avg"], f["games_vs_opp"] = _head_to_head(inputs, base)
    for columns in (game_context.availability(inputs, roster, f["pts_avg_last10"], f["minutes_avg_last10"]),
                    game_context.calendar(inputs, roster)):
        for name, values in columns.items():
            f[name] = values
    f = f[list(NAMES)]

    present = f.notna()
    filled = _apply_defaults(f)
    out = base.copy()
    out["feature_version"] = STORE_VERSION
    for name in NAMES:
        out[name] = filled[name].to_numpy()
    out["quality_score"] = present.mean(axis=1).to_numpy()
    gaps = [np.where(missing_sources[s], s, "") for s in ("PDC", "PSZA", "TDZA", "PCF")]
    out["missing_inputs"] = [",".join(x for x in row if x) for row in zip(*gaps, strict=True)]
    out["missing_features"] = [",".join(NAMES[i] for i in np.flatnonzero(~row)) for row in present.to_numpy()]
    return out


def _apply_defaults(f: pd.DataFrame) -> pd.DataFrame:
    out = f.copy()
    for feat in FEATURES:
        try:
            fallback = float(feat.default)
            out[feat.name] = out[feat.name].fillna(fallback)
        except ValueError:
            out[feat.name] = out[feat.name].fillna(out[feat.default])
    return out


def _team_win_pct(inputs: h.Inputs, base: pd.DataFrame) -> np.ndarray:
    teams = inputs.teams[inputs.teams["season_year"] == inputs.season]
    codes = h.team_codes(teams["team_abbr"], base["team_abbr"])
    keys = teams["team_abbr"].map(codes).to_numpy()
    dates = h.days(teams["game_date"])
    q_keys = base["team_abbr"].map(codes).to_numpy()
    q_dates = h.days(base["game_date"])
    lo = np.full(len(base), np.datetime64("1900-01-01", "D"))
    wins = h.sum_between(keys, dates, teams["win"].astype(float).to_numpy(), q_keys, lo, q_dates)
    games = h.count_between(keys, dates, q_keys, lo, q_dates)
    return h.ratio(wins, games)


def _head_to_head(inputs: h.Inputs, base: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    players = inputs.players
    codes = h.team_codes(players["opponent_abbr"], base["opponent_abbr"])
    hist = players.assign(_k=players["player_id"].to_numpy() * 100 + players["opponent_abbr"].map(codes))
    hist = hist.sort_values(["_k", "game_date"], kind="stable")
    q_keys = base["player_id"].to_numpy() * 100 + base["opponent_abbr"].map(codes).to_numpy()
    q_dates = h.days(base["game_date"])
    lo = np.full(len(base), np.datetime64("1900-01-01", "D"))
    keys, dates = hist["_k"].to_numpy(), h.days(hist["game_date"])
    pts = h.sum_between(keys, dates, hist["pts"].to_numpy(dtype=float), q_keys, lo, q_dates)
    n = h.count_between(keys, dates, q_keys, lo, q_dates).astype(float)
    return h.ratio(pts, n), n
