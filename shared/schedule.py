"""What the schedule says about a date, for every layer that asks."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from shared import tables
from shared.ports import Warehouse


def playable(schedule: pd.DataFrame) -> pd.DataFrame:
    """The games that will be (or were) played: everything but the postponed."""
    return schedule[schedule["status"].fillna("final") != "postponed"] if "status" in schedule else schedule


def has_games(warehouse: Warehouse, day: date) -> bool:
    return not playable(warehouse.read(tables.SCHEDULE.fqn, day, day, columns=["game_id", "status"])).empty


def tipoffs(warehouse: Warehouse, day: date) -> list[datetime | None]:
    """The tip-off (UTC) of each game to be played on ``day``; None where the schedule has none."""
    games = playable(warehouse.read(tables.SCHEDULE.fqn, day, day, columns=["game_id", "status", "tipoff_utc"]))
    return [None if pd.isna(t) else pd.Timestamp(t).to_pydatetime() for t in games["tipoff_utc"]]


def team_tipoffs(warehouse: Warehouse, start: date, end: date) -> pd.DataFrame:
    """game_date, team_abbr, tipoff_utc: when each team's game of each date tips off, for the
    games to be played (a postponed game's time is not when the team plays) with a known time.
    A team with two such games on one date (a schedule correction) gets the later."""
    games = playable(warehouse.read(tables.SCHEDULE.fqn, start, end,
                                    columns=["game_date", "home_team_abbr", "away_team_abbr", "tipoff_utc", "status"]))
    games = games[games["tipoff_utc"].notna()]
    sides = [games.rename(columns={f"{side}_team_abbr": "team_abbr"})[["game_date", "team_abbr", "tipoff_utc"]]
             for side in ("home", "away")]
    both = pd.concat(sides, ignore_index=True).sort_values("tipoff_utc", kind="stable")
    return both.drop_duplicates(["game_date", "team_abbr"], keep="last").reset_index(drop=True)


def first_tipoff(warehouse: Warehouse, day: date) -> datetime | None:
    known = [t for t in tipoffs(warehouse, day) if t is not None]
    return min(known) if known else None
