"""TDZA: each scheduled team's defence by zone over its last 15 games before D, against
the league average of the 30 days before D. Zones are twos, threes and free throws."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from processors import history as h
from shared.props import PROPS

WINDOW_GAMES = 15
LEAGUE_DAYS = 30
ZONES = ("two", "three", "free_throw")

# per team-game quantities summed over windows
_PARTS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "opp_fg2m": lambda t: t["opp_fgm"] - t["opp_fg3m"], "opp_fg2a": lambda t: t["opp_fga"] - t["opp_fg3a"],
    "opp_fg3m": lambda t: t["opp_fg3m"], "opp_fg3a": lambda t: t["opp_fg3a"],
    "opp_ftm": lambda t: t["opp_ftm"], "opp_fta": lambda t: t["opp_fta"], "opp_fga": lambda t: t["opp_fga"],
    "opp_pts": lambda t: t["opp_pts"], "possessions": lambda t: t["possessions"], "pace": lambda t: t["pace"],
}


# what a team allowed of each column a prop sums: the opponent's own total in the same game
_STAT_PROPS = [p for p in PROPS if p.stat != "pts"]
_ALLOWED_COLUMNS = tuple(dict.fromkeys(c for p in _STAT_PROPS for c in p.parts))


def _allowed(parts: tuple[str, ...]) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda t: sum(t[f"allowed_{c}"] for c in parts)


for _p in _STAT_PROPS:
    _PARTS[f"opp_{_p.stat}"] = _allowed(_p.parts)


def _metrics(s: dict[str, np.ndarray], n: np.ndarray) -> dict[str, np.ndarray]:
    return {
        **{f"opp_{p.stat}_allowed": h.ratio(s[f"opp_{p.stat}"], n) for p in _STAT_PROPS},
        "opp_fg2_pct": h.ratio(s["opp_fg2m"], s["opp_fg2a"]),
        "opp_fg3_pct": h.ratio(s["opp_fg3m"], s["opp_fg3a"]),
        "opp_fg2a_per_game": h.ratio(s["opp_fg2a"], n),
        "opp_fg3a_per_game": h.ratio(s["opp_fg3a"], n),
        "opp_fta_per_game": h.ratio(s["opp_fta"], n),
        "opp_two_pts_per_game": h.ratio(2 * s["opp_fg2m"], n),
        "opp_three_pts_per_game": h.ratio(3 * s["opp_fg3m"], n),
        "opp_free_throw_pts_per_game": h.ratio(s["opp_ftm"], n),
        "ft_rate_allowed": h.ratio(s["opp_fta"], s["opp_fga"]),
    }


METRICS = list(_metrics({k: np.zeros(1) for k in _PARTS}, np.ones(1)))


def with_allowed(teams: pd.DataFrame) -> pd.DataFrame:
    """The team-game rows with ``allowed_{c}``: the opponent's total of column c in the same
    game, for every column a prop sums (a new prop's column must be a team total too)."""
    other = teams[["game_id", "team_abbr", *_ALLOWED_COLUMNS]].rename(
        columns={"team_abbr": "opponent_abbr", **{c: f"allowed_{c}" for c in _ALLOWED_COLUMNS}})
    return teams.merge(other, on=["game_id", "opponent_abbr"], how="left", validate="many_to_one")


def compute(inputs: h.Inputs) -> pd.DataFrame:
    teams = with_allowed(inputs.rolling_teams())
    sched = inputs.schedule
    wanted = sched[sched["game_date"].isin(inputs.dates)].reset_index(drop=True)
    codes = h.team_codes(teams["team_abbr"], wanted["team_abbr"])
    t_keys = teams["team_abbr"].map(codes).to_numpy()
    q_keys = wanted["team_abbr"].map(codes).to_numpy()
    q_dates = h.days(wanted["game_date"])
    idx = h.asof_index(t_keys, h.days(teams["game_date"]), q_keys, q_dates)

    pos = h.positions(t_keys)
    parts = {k: f(teams).to_numpy(dtype=float) for k, f in _PARTS.items()}
    sums = {k: h.take(h.rolling_sum(v, pos, WINDOW_GAMES), idx) for k, v in parts.items()}
    n = h.take(h.rolling_count(pos, WINDOW_GAMES), idx)
    team = _metrics(sums, n)

    # league: every team-game in the 30 days before D
    all_key = np.zeros(len(teams), dtype=np.int64)
    q0 = np.zeros(len(wanted), dtype=np.int64)
    order = np.argsort(h.days(teams["game_date"]), kind="stable")
    lo, hi = q_dates - np.timedelta64(LEAGUE_DAYS, "D"), q_dates
    dates_sorted = h.days(teams["game_date"])[order]
    league_sums = {k: h.sum_between(all_key, dates_sorted, v[order], q0, lo, hi) for k, v in parts.items()}
    league_n = h.count_between(all_key, dates_sorted, q0, lo, hi).astype(float)
    league = _metrics(league_sums, league_n)

    out = pd.DataFrame({"analysis_date": wanted["game_date"], "team_abbr": wanted["team_abbr"],
                        "opponent_abbr": wanted["opponent_abbr"], "games_in_window": n})
    for m in METRICS:
        out[m] = team[m]
        out[f"{m}_vs_league"] = team[m] - league[m]
    out["defensive_rating"] = 100 * h.ratio(sums["opp_pts"], sums["possessions"])
    out["opponent_pace"] = h.ratio(sums["pace"], n)
    out["league_games_in_window"] = league_n
    deltas = np.column_stack([out[f"opp_{z}_pts_per_game_vs_league"].to_numpy() for z in ZONES])
    has = ~np.isnan(deltas).any(axis=1)
    filled = np.nan_to_num(deltas)
    out["strongest_zone"] = np.where(has, np.array(ZONES)[filled.argmin(axis=1)], None)
    out["weakest_zone"] = np.where(has, np.array(ZONES)[filled.argmax(axis=1)], None)
    # a team with no game yet in its window has no defence to describe: no row, not a bad row
    return out[out["games_in_window"] > 0].reset_index(drop=True)
