"""Tonight's availability as features: who on each team will not play D, and what share of
the team's points, minutes and usage leaves with them, from each player's status tonight.

One mechanism, three sources of statuses (every prediction row names its source):
- ``report``: the latest injury report before the batch (serving);
- ``realised``: rotation players who did not play D, read from D's box scores; what a
  complete report would have said. Training and backtests that ask for it, never serving;
- ``none``: nothing known: every tonight column is NaN (the models learn that value too).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

AvailabilitySource = Literal["report", "realised", "none"]
SOURCES: tuple[str, ...] = ("report", "realised", "none")

# the report's statuses, as an ordinal for the player's own status (Out players are not predicted)
STATUS_LEVEL = {"Available": 0.0, "Probable": 1.0, "Questionable": 2.0, "Doubtful": 3.0, "Out": 4.0}
ABSENT = frozenset({"Out", "Doubtful"})
# a rotation player: this many minutes a game over his last 10, and a game this season (a roster
# carried over the summer still lists last season's departed players, whom no report names)
ROTATION_MINUTES = 15.0

COLUMNS: tuple[str, ...] = ("tonight_teammates_out", "tonight_teammates_out_pts_share",
                            "tonight_teammates_out_minutes_share", "tonight_teammates_out_usage_share",
                            "tonight_own_status")
INPUTS: tuple[str, ...] = ("player_id", "team_abbr", "pts_avg_last10", "minutes_avg_last10", "usage_rate_last10",
                           "games_played_season")


def tonight(rows: pd.DataFrame, statuses: Mapping[int, str] | None) -> pd.DataFrame:
    """The tonight columns of one date's rostered players (``rows``: the feature-store rows,
    INPUTS at least), indexed by player_id. A player ``statuses`` does not list is Available;
    ``statuses=None`` (no report, no box scores) gives the unknown value, NaN, everywhere."""
    frame = rows[list(INPUTS)].reset_index(drop=True)
    if statuses is None:
        return pd.DataFrame(np.nan, index=pd.Index(frame["player_id"].astype(int), name="player_id"),
                            columns=list(COLUMNS))
    status = frame["player_id"].map(lambda p: statuses.get(int(p), "Available"))
    return columns(frame.assign(game_date=0), status).set_index(frame["player_id"].astype(int).rename("player_id"))


def columns(frame: pd.DataFrame, status: pd.Series) -> pd.DataFrame:
    """The tonight columns for rows of any number of dates (``frame``: game_date and INPUTS;
    ``status``: each row's status, aligned): teammates are the same team on the same date, and
    the absent ones counted are rotation players (what realised statuses can know of)."""
    level = pd.DataFrame({"pts": frame["pts_avg_last10"], "min": frame["minutes_avg_last10"]},
                         index=frame.index).astype(float).fillna(0.0)
    level["use"] = frame["usage_rate_last10"].astype(float).fillna(0.0) * level["min"]   # possessions used
    absent = status.isin(ABSENT).to_numpy() & rotation(frame)
    parts = pd.DataFrame({"n": absent.astype(float)}, index=frame.index)
    for k in ("pts", "min", "use"):
        parts[f"out_{k}"] = np.where(absent, level[k], 0.0)
        parts[f"all_{k}"] = level[k]
    team = parts.groupby([frame["game_date"], frame["team_abbr"]]).transform("sum")
    others = team - parts   # his teammates: the team without him
    out = pd.DataFrame({"tonight_teammates_out": others["n"]}, index=frame.index)
    for k, name in (("pts", "pts"), ("min", "minutes"), ("use", "usage")):
        out[f"tonight_teammates_out_{name}_share"] = _share(others[f"out_{k}"], team[f"all_{k}"])
    out["tonight_own_status"] = status.map(STATUS_LEVEL).fillna(0.0).to_numpy()
    return out


def realised(rows: pd.DataFrame, played: pd.DataFrame) -> pd.Series:
    """Each row's realised status: Out for a rotation player whose team played D and who did not
    (``played``: D's box-score rows, game_date, player_id, team_abbr, played), else Available.
    This reads D's box scores: training and ``--availability realised`` backtests only."""
    keys = rows[["game_date", "player_id", "team_abbr"]].assign(game_date=pd.to_datetime(rows["game_date"]))
    box = played.assign(game_date=pd.to_datetime(played["game_date"]))
    did = keys.merge(box.loc[box["played"].astype(bool), ["game_date", "player_id"]].drop_duplicates()
                     .assign(_did=True), on=["game_date", "player_id"], how="left")["_did"].notna().to_numpy()
    team_played = keys.merge(box[["game_date", "team_abbr"]].drop_duplicates().assign(_team=True),
                             on=["game_date", "team_abbr"], how="left")["_team"].notna().to_numpy()
    return pd.Series(np.where(team_played & rotation(rows) & ~did, "Out", "Available"), index=rows.index)


def rotation(rows: pd.DataFrame) -> np.ndarray:
    minutes = rows["minutes_avg_last10"].astype(float).fillna(0.0).to_numpy()
    return (minutes >= ROTATION_MINUTES) & (rows["games_played_season"].astype(float).fillna(0.0).to_numpy() >= 1)


def _share(part: pd.Series, whole: pd.Series) -> np.ndarray:
    p, w = part.to_numpy(dtype=float), whole.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w > 0, p / w, 0.0)
