"""Inputs for a date range, the roster as of each date, and vectorised window helpers.

Every feature for date D in season S is computed from a window fixed by D (see
docs/ARCHITECTURE.md): rolling player/team stats from seasons S-1..S, head-to-head from
S-3..S, league averages from the 30 days before D, and only games strictly before D.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from shared import tables
from shared.ports import Warehouse
from shared.schedule import playable

LOOKBACK_DAYS = 4 * 366      # covers season S-3's first day from any date of season S
ROSTER_TEAM_GAMES = 10       # on T's roster: last game was for T, within T's last 10 games
ROLLING_SEASONS = 1          # rolling windows reach back to season S-1
HEAD_TO_HEAD_SEASONS = 3     # points vs this opponent over seasons S-3..S


def season_year(label: pd.Series) -> pd.Series:
    return label.str.slice(0, 4).astype(int)


@dataclass
class Inputs:
    """Analytics rows for one season's pass, plus which of its dates to compute."""
    season: int
    dates: list[pd.Timestamp]          # the dates to compute
    date_set: frozenset                # every game date of the season in the data read
    players: pd.DataFrame    # played player-games, seasons S-3..S, sorted by player, date
    teams: pd.DataFrame      # team-games, seasons S-1..S, sorted by team, date
    schedule: pd.DataFrame   # one row per (team, game), seasons S-1..S, with the team's sequence

    def rolling_players(self) -> pd.DataFrame:
        if "_rolling" not in self.__dict__:
            self.__dict__["_rolling"] = self.players[
                self.players["season_year"] >= self.season - ROLLING_SEASONS].reset_index(drop=True)
        return self.__dict__["_rolling"]

    def rolling_teams(self) -> pd.DataFrame:
        return self.teams


def read_analytics(warehouse: Warehouse, start: date, end: date) -> dict[str, pd.DataFrame]:
    first = start - timedelta(days=LOOKBACK_DAYS)
    return {
        "players": warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, first, end),
        "teams": warehouse.read(tables.TEAM_GAME_SUMMARY.fqn, first, end),
        "schedule": warehouse.read(tables.SCHEDULE.fqn, first, end),
    }


def prepare_seasons(raw: dict[str, pd.DataFrame]) -> dict[int, Inputs]:
    """One Inputs per season present in the schedule read, each holding that season's windows."""
    sched = playable(raw["schedule"]).copy()
    sched["season_year"] = season_year(sched["season"])
    players = raw["players"][raw["players"]["played"].astype(bool)].copy()
    players["season_year"] = season_year(players["season"])
    teams = raw["teams"].copy()
    teams["season_year"] = season_year(teams["season"])
    players = players.sort_values(["player_id", "game_date"], kind="stable")
    teams = teams.sort_values(["team_abbr", "game_date"], kind="stable")
    out = {}
    for season, rows in sched.groupby("season_year"):
        dates = sorted(pd.Timestamp(d) for d in rows["game_date"].unique())
        out[int(season)] = Inputs(
            season=int(season), dates=dates, date_set=frozenset(dates),
            players=players[players["season_year"].between(season - HEAD_TO_HEAD_SEASONS, season)]
            .reset_index(drop=True),
            teams=teams[teams["season_year"].between(season - ROLLING_SEASONS, season)].reset_index(drop=True),
            schedule=team_schedule(sched[sched["season_year"].between(season - ROLLING_SEASONS, season)]))
    return out


def team_schedule(sched: pd.DataFrame) -> pd.DataFrame:
    """One row per (team, game) with the team's game sequence number."""
    home = sched.assign(team_abbr=sched["home_team_abbr"], opponent_abbr=sched["away_team_abbr"],
                        is_home=sched["venue_known"].where(sched["venue_known"], None))
    away = sched.assign(team_abbr=sched["away_team_abbr"], opponent_abbr=sched["home_team_abbr"],
                        is_home=(~sched["venue_known"].astype(bool)).where(sched["venue_known"], None))
    both = pd.concat([home, away], ignore_index=True)[
        ["game_id", "game_date", "season_year", "team_abbr", "opponent_abbr", "is_home"]]
    both = both.sort_values(["team_abbr", "game_date", "game_id"], kind="stable").reset_index(drop=True)
    both["seq"] = both.groupby("team_abbr").cumcount()
    return both


def roster(inputs: Inputs) -> pd.DataFrame:
    """Players to predict per (date, team): one row per (game_date, player_id).

    Player P is on T's roster for D when his last game before D was for T and that game
    is among T's last ROSTER_TEAM_GAMES games before D. Uses only games before D.
    """
    hist = inputs.rolling_players()
    sched = inputs.schedule
    if hist.empty or sched.empty:
        return _empty_roster()
    key = pd.MultiIndex.from_frame(sched[["team_abbr", "game_date"]])
    pos = pd.Series(np.arange(len(sched)), index=key)
    pg_pos = pos.reindex(pd.MultiIndex.from_frame(hist[["team_abbr", "game_date"]])).to_numpy()
    ok = ~np.isnan(pg_pos)
    hist, pg_pos = hist[ok].reset_index(drop=True), pg_pos[ok].astype(np.int64)
    next_date = hist.groupby("player_id")["game_date"].shift(-1)
    next_date = next_date.to_numpy()
    next_date = np.where(np.isnat(next_date), np.datetime64("2262-01-01"), next_date)
    team_end = sched.groupby("team_abbr")["seq"].transform("max").to_numpy()
    seq = sched["seq"].to_numpy()
    n = len(hist)
    k = np.tile(np.arange(1, ROSTER_TEAM_GAMES + 1), n)
    src = np.repeat(np.arange(n), ROSTER_TEAM_GAMES)
    cand = np.repeat(pg_pos, ROSTER_TEAM_GAMES) + k
    valid = (seq[np.repeat(pg_pos, ROSTER_TEAM_GAMES)] + k) <= team_end[np.repeat(pg_pos, ROSTER_TEAM_GAMES)]
    src, cand = src[valid], cand[valid]
    cand_dates = sched["game_date"].to_numpy()[cand]
    dates = np.array(inputs.dates, dtype=cand_dates.dtype)
    keep = (cand_dates <= next_date[src]) & np.isin(cand_dates, dates)
    src, cand = src[keep], cand[keep]
    out = pd.DataFrame({
        "game_date": sched["game_date"].to_numpy()[cand],
        "player_id": hist["player_id"].to_numpy()[src],
        "player_name": hist["player_name"].to_numpy()[src],
        "team_abbr": sched["team_abbr"].to_numpy()[cand],
        "opponent_abbr": sched["opponent_abbr"].to_numpy()[cand],
        "is_home": sched["is_home"].to_numpy()[cand],
        "game_id": sched["game_id"].to_numpy()[cand],
        "last_game_date": hist["game_date"].to_numpy()[src],
    })
    # a player can be reached from two teams only on a same-day double entry; keep the latest game
    out = out.sort_values(["game_date", "player_id", "last_game_date"]).drop_duplicates(
        ["game_date", "player_id"], keep="last")
    return out.reset_index(drop=True)


def _empty_roster() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in [
        ("game_date", "datetime64[us]"), ("player_id", "int64"), ("player_name", "str"), ("team_abbr", "str"),
        ("opponent_abbr", "str"), ("is_home", "object"), ("game_id", "str"), ("last_game_date", "datetime64[us]")]})


# -- window helpers (arrays sorted by group, then date) ---------------------------------------

def positions(groups: np.ndarray) -> np.ndarray:
    """0-based position of each row within its (contiguous) group."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[True, groups[1:] != groups[:-1]]
    idx = np.arange(n)
    first = np.maximum.accumulate(np.where(starts, idx, 0))
    return idx - first


def rolling_sum(values: np.ndarray, pos: np.ndarray, window: int | None) -> np.ndarray:
    """Sum of the last ``window`` values up to and including each row, within its group."""
    values = np.nan_to_num(np.asarray(values, dtype=float))
    cs = group_cumsum(values, np.cumsum(pos == 0))
    idx = np.arange(len(values))
    m = pos + 1 if window is None else np.minimum(pos + 1, window)
    before = np.where(pos + 1 > m, cs[np.maximum(idx - m, 0)], 0.0)
    return cs - before


def group_cumsum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sum restarting at each group: a group's sums never depend on the rows of the
    groups before it, so the same history gives the same floats whatever else was read."""
    return pd.Series(values).groupby(groups).cumsum().to_numpy(dtype=float)


def rolling_count(pos: np.ndarray, window: int | None) -> np.ndarray:
    return (pos + 1 if window is None else np.minimum(pos + 1, window)).astype(float)


def truncated_ewm(values: np.ndarray, pos: np.ndarray, halflife: float, span: int) -> np.ndarray:
    """EWMA over the last ``span`` values within the group, newest weight 1."""
    values = np.asarray(values, dtype=float)
    num = np.zeros(len(values))
    den = np.zeros(len(values))
    for k in range(span):
        w = 0.5 ** (k / halflife)
        ok = pos >= k
        shifted = np.r_[np.full(k, np.nan), values[:len(values) - k]] if k else values
        num += np.where(ok, w * np.nan_to_num(shifted), 0.0)
        den += np.where(ok, w, 0.0)
    return num / den


def asof_index(hist_keys: np.ndarray, hist_dates: np.ndarray, keys: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Index of the last history row with the same key and a date strictly before ``dates``;
    -1 where there is none. ``hist`` is sorted by (key, date)."""
    order_key = _composite(hist_keys, hist_dates)
    query = _composite(keys, dates)
    idx = np.searchsorted(order_key, query, side="left") - 1
    found = idx >= 0
    found[found] = hist_keys[idx[found]] == keys[found]
    return np.where(found, idx, -1)


def count_between(hist_keys: np.ndarray, hist_dates: np.ndarray, keys: np.ndarray, lo: np.ndarray,
                  hi: np.ndarray) -> np.ndarray:
    """Number of history rows with the same key and lo <= date < hi."""
    order_key = _composite(hist_keys, hist_dates)
    return (np.searchsorted(order_key, _composite(keys, hi), side="left")
            - np.searchsorted(order_key, _composite(keys, lo), side="left"))


def _composite(keys: np.ndarray, dates: np.ndarray) -> np.ndarray:
    days = np.asarray(dates, dtype="datetime64[D]").astype(np.int64)
    return np.asarray(keys, dtype=np.int64) * 1_000_000 + (days + 500_000)


def team_codes(*frames_cols: pd.Series) -> dict[str, int]:
    names = sorted(set().union(*[set(s.dropna().unique()) for s in frames_cols]))
    return {n: i for i, n in enumerate(names)}


def sum_between(hist_keys: np.ndarray, hist_dates: np.ndarray, values: np.ndarray, keys: np.ndarray,
                lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over history rows with the same key and lo <= date < hi."""
    order_key = _composite(hist_keys, hist_dates)
    cs = group_cumsum(np.nan_to_num(np.asarray(values, dtype=float)), np.asarray(hist_keys))
    first = np.searchsorted(np.asarray(hist_keys), keys, side="left")   # the key's first history row

    def prefix(position: np.ndarray) -> np.ndarray:   # sum of the key's rows before ``position``
        return np.where(position > first, cs[np.maximum(position - 1, 0)], 0.0)

    return (prefix(np.searchsorted(order_key, _composite(keys, hi), side="left"))
            - prefix(np.searchsorted(order_key, _composite(keys, lo), side="left")))


def take(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """values[idx] as float, NaN where idx is -1 (no history)."""
    values = np.asarray(values, dtype=float)
    out = values[np.maximum(idx, 0)]
    return np.where(idx >= 0, out, np.nan)


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def days(values) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]")
