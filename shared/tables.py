"""Every warehouse table, declared once: dataset, ordered columns with BigQuery types,
date partition column and natural key. Both warehouse adapters and the deploy script
read this catalogue; processors add their own tables through ``register``."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

TYPES = ("STRING", "INT64", "FLOAT64", "BOOL", "DATE", "TIMESTAMP")


@dataclass(frozen=True)
class Table:
    dataset: str
    name: str
    columns: tuple[tuple[str, str], ...]
    partition: str | None
    key: tuple[str, ...]
    required: tuple[str, ...] = field(default=())

    @property
    def fqn(self) -> str:
        return f"{self.dataset}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]

    def type_of(self, column: str) -> str:
        return dict(self.columns)[column]


CATALOG: dict[str, Table] = {}


def register(dataset: str, name: str, columns: list[tuple[str, str]] | str,
             partition: str | None, key: tuple[str, ...], required: tuple[str, ...] = ()) -> Table:
    if isinstance(columns, str):
        columns = [tuple(part.split()) for part in columns.split(",") if part.strip()]
    for col, typ in columns:
        if typ not in TYPES:
            raise ValueError(f"table {dataset}.{name}: column {col} has unknown type {typ}")
    table = Table(dataset, name, tuple(columns), partition, key, required)
    CATALOG[table.fqn] = table
    return table


def get(fqn: str) -> Table:
    try:
        return CATALOG[fqn]
    except KeyError:
        raise KeyError(f"unknown table {fqn!r}; known: {', '.join(sorted(CATALOG))}") from None


def conform(table: Table, frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Order and type a frame as the table declares; a missing column is an error.

    Both warehouse adapters pass what they write and what they read through this, so a
    frame has the same dtypes whichever backend produced it."""
    wanted = columns or table.column_names
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"{table.fqn}: frame lacks columns {missing}")
    frame = frame.reset_index(drop=True)
    out = {}
    for col in wanted:
        typ = table.type_of(col)
        s = frame[col]
        if typ == "STRING":
            out[col] = s.astype("string")
        elif typ == "INT64":
            out[col] = pd.to_numeric(s).astype("Int64")
        elif typ == "FLOAT64":
            out[col] = pd.to_numeric(s).astype("float64")
        elif typ == "BOOL":
            out[col] = s.astype("boolean")
        elif typ == "DATE":
            out[col] = pd.to_datetime(s.astype("object") if s.dtype.name == "dbdate" else s)\
                .dt.normalize().astype("datetime64[us]")
        else:
            out[col] = pd.to_datetime(s, utc=True).astype("datetime64[us, UTC]")
    return pd.DataFrame(out, index=frame.index)


def check_partition_range(table: Table, frame: pd.DataFrame | None, start, end) -> None:
    """A partition replace may only write rows inside the range it replaces."""
    if frame is None or not len(frame):
        return
    dates = pd.to_datetime(frame[table.partition]).dt.date
    outside = int(((dates < start) | (dates > end)).sum())
    if outside:
        raise ValueError(f"{table.fqn}: {outside} rows fall outside {start}..{end}")


PLAYER_STATS = "minutes FLOAT64, pts INT64, fgm INT64, fga INT64, fg3m INT64, fg3a INT64, ftm INT64, fta INT64, " \
               "oreb INT64, dreb INT64, reb INT64, ast INT64, stl INT64, blk INT64, tov INT64, pf INT64, plus_minus FLOAT64"

PLAYER_GAME_SUMMARY = register(
    "analytics", "player_game_summary",
    "game_id STRING, game_date DATE, season STRING, season_type STRING, player_id INT64, player_name STRING, "
    "team_id INT64, team_abbr STRING, opponent_abbr STRING, is_home BOOL, win BOOL, played BOOL, "
    "dnp_reason STRING, " + PLAYER_STATS + ", source_file STRING",
    partition="game_date", key=("game_id", "player_id"),
    required=("game_id", "game_date", "player_id", "team_abbr", "played"),
)

TEAM_STATS = "pts INT64, fgm INT64, fga INT64, fg3m INT64, fg3a INT64, ftm INT64, fta INT64, oreb INT64, " \
             "dreb INT64, reb INT64, ast INT64, tov INT64, minutes FLOAT64"

TEAM_GAME_SUMMARY = register(
    "analytics", "team_game_summary",
    "game_id STRING, game_date DATE, season STRING, season_type STRING, team_id INT64, team_abbr STRING, "
    "opponent_abbr STRING, is_home BOOL, win BOOL, " + TEAM_STATS + ", "
    "opp_pts INT64, opp_fgm INT64, opp_fga INT64, opp_fg3m INT64, opp_fg3a INT64, opp_ftm INT64, opp_fta INT64, "
    "opp_oreb INT64, opp_dreb INT64, opp_tov INT64, possessions FLOAT64, pace FLOAT64, "
    "offensive_rating FLOAT64, defensive_rating FLOAT64, overtimes INT64",
    partition="game_date", key=("game_id", "team_abbr"),
    required=("game_id", "game_date", "team_abbr", "opponent_abbr"),
)

SCHEDULE = register(
    "analytics", "schedule",
    "game_id STRING, game_date DATE, season STRING, season_type STRING, home_team_abbr STRING, "
    "away_team_abbr STRING, home_team_id INT64, away_team_id INT64, venue_known BOOL",
    partition="game_date", key=("game_id",),
    required=("game_id", "game_date", "home_team_abbr", "away_team_abbr"),
)
