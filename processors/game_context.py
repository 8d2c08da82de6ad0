"""Game-context features for each rostered player and D, from games strictly before D and the
published schedule: who on his team missed its previous game and what they score, and where
the season and the road trip stand. Each function returns columns aligned with the roster's
rows. (Candidates measured and not kept are in benchmarks/feature_candidates.py.)"""
from __future__ import annotations

import numpy as np
import pandas as pd

from processors import history as h
from shared.teams import TIME_ZONE


def availability(inputs: h.Inputs, roster: pd.DataFrame, pts_level, minutes_level) -> dict[str, np.ndarray]:
    """Teammates on the roster who did not play the team's previous game, the points per game
    and minutes they leave (``pts_level``/``minutes_level``: each roster row's last-10 means,
    PDC's), and whether the player himself missed it. The previous game is the
    team's last one with box scores before D, not the schedule's: when last night's box scores
    are late, nobody is marked out of a game whose box score is not there yet."""
    teams = inputs.teams
    codes = h.team_codes(teams["team_abbr"], roster["team_abbr"])
    dates = h.days(teams["game_date"])
    at = h.asof_index(teams["team_abbr"].map(codes).to_numpy(), dates, roster["team_abbr"].map(codes).to_numpy(),
                      h.days(roster["game_date"]))
    team_prev = np.where(at >= 0, dates[np.maximum(at, 0)], np.datetime64("NaT"))
    missed = (h.days(roster["last_game_date"]) < team_prev) & (at >= 0)
    level = pd.DataFrame({"pts": np.asarray(pts_level, dtype=float),
                          "minutes": np.asarray(minutes_level, dtype=float)}).fillna(0.0)
    frame = pd.DataFrame({"game_date": roster["game_date"].to_numpy(), "team": roster["team_abbr"].to_numpy(),
                          "out_pts": np.where(missed, level["pts"], 0.0),
                          "out_min": np.where(missed, level["minutes"], 0.0),
                          "all_pts": level["pts"].to_numpy(), "out_n": missed.astype(float)})
    team = frame.groupby(["game_date", "team"])[["out_pts", "out_min", "all_pts", "out_n"]].transform("sum")
    out_pts = team["out_pts"].to_numpy() - frame["out_pts"].to_numpy()
    return {
        "teammates_out": team["out_n"].to_numpy() - frame["out_n"].to_numpy(),
        "teammates_out_pts": out_pts,
        "teammates_out_minutes": team["out_min"].to_numpy() - frame["out_min"].to_numpy(),
        "teammates_out_pts_share": h.ratio(out_pts, team["all_pts"].to_numpy() - frame["all_pts"].to_numpy()),
        "missed_last_game": missed.astype(float),
    }


def calendar(inputs: h.Inputs, roster: pd.DataFrame) -> dict[str, np.ndarray]:
    """Days into the season, the road trip so far and the time zones crossed since the team's
    last game: all from the published schedule."""
    sched = inputs.schedule
    season = sched[sched["season_year"] == inputs.season]
    first = season["game_date"].min()
    away = (sched["is_home"] == False).to_numpy()   # noqa: E712 (None: venue unknown, counted as home)
    team = sched["team_abbr"].to_numpy()
    starts = np.r_[True, team[1:] != team[:-1]] | ~away
    run = pd.Series(away.astype(float)).groupby(np.cumsum(starts)).cumsum().to_numpy()   # away games in a row
    host = np.where(sched["is_home"] == False, sched["opponent_abbr"], sched["team_abbr"])   # noqa: E712
    zone = pd.Series(host).map(TIME_ZONE).to_numpy(dtype=float)
    prev_zone = pd.Series(zone).groupby(team).shift(1).to_numpy()
    key = pd.MultiIndex.from_frame(sched[["team_abbr", "game_id"]])
    at = pd.Series(np.arange(len(sched)), index=key).reindex(
        pd.MultiIndex.from_frame(roster[["team_abbr", "game_id"]])).to_numpy()
    ok = ~np.isnan(at)
    at = np.where(ok, at, 0).astype(int)
    into = (h.days(roster["game_date"]) - np.datetime64(pd.Timestamp(first).date(), "D")).astype(float)
    return {"days_into_season": into,
            "road_trip_games": np.where(ok, run[at], np.nan),
            "time_zones_crossed": np.where(ok, np.abs(zone[at] - prev_zone[at]), np.nan)}
