"""Import box-score CSV files into the analytics tables, all or nothing."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.importer import build
from ingest.importer.layouts import ImportValidationError, Problem, read_file
from shared import tables
from shared.ports import Warehouse

__all__ = ["ImportValidationError", "ImportResult", "load_files", "write_players", "import_files"]


@dataclass
class ImportResult:
    files: int
    player_rows: int
    did_not_play: int
    team_rows: int
    games: int
    first_date: str | None
    last_date: str | None


def load_files(paths: Iterable[Path], progress: Callable[[Path], None] | None = None) -> pd.DataFrame:
    """Read and validate every file into one player-game frame; raise ImportValidationError
    naming every problem."""
    frames, problems = [], []
    for path in paths:
        frame, found = read_file(Path(path))
        problems.extend(found)
        frames.append(frame)
        if progress:
            progress(Path(path))
    if problems:
        raise ImportValidationError(problems)
    players = pd.concat(frames, ignore_index=True)
    problems = _dated_apart(players)
    dup = players.duplicated(["game_id", "player_id"], keep="first")
    if dup.any():
        first = players.drop_duplicates(["game_id", "player_id"]).set_index(["game_id", "player_id"])
        problems += [
            Problem(r.source_file, int(r.line), "game_id+player_id", f"{r.game_id}/{r.player_id}",
                    "duplicate player-game (first seen in "
                    f"{first.loc[(r.game_id, r.player_id), 'source_file']} line "
                    f"{int(first.loc[(r.game_id, r.player_id), 'line'])})")
            for r in players[dup].head(50).itertuples()]
    if problems:
        raise ImportValidationError(problems)
    return build.player_game_summary(players)


def _dated_apart(players: pd.DataFrame) -> list[Problem]:
    """Every row of a game, in whichever file, carries one date: the one most of its rows give."""
    counts = players.groupby(["game_id", "game_date"]).size().rename("rows").reset_index()
    if counts["game_id"].is_unique:
        return []
    usual = (counts.sort_values("rows", ascending=False, kind="stable").drop_duplicates("game_id")
             .set_index("game_id")["game_date"])
    apart = players[players["game_date"].to_numpy() != players["game_id"].map(usual).to_numpy()]
    column = {"regular": "GAME_DATE", "playoffs": "game_date"}
    return [Problem(r.source_file, int(r.line), column[r.season_type], str(r.game_date.date()),
                    f"game {r.game_id} is dated {usual[r.game_id].date()} on its other rows")
            for r in apart.head(50).itertuples()]


def import_files(warehouse: Warehouse, paths: Iterable[Path],
                 progress: Callable[[Path], None] | None = None) -> ImportResult:
    paths = list(paths)
    return write_players(warehouse, load_files(paths, progress), len(paths))


def write_players(warehouse: Warehouse, players: pd.DataFrame, files: int) -> ImportResult:
    """Merge validated player-games, then rebuild the team-games and schedule rows of every game
    they touch from all the rows stored for it: a file holding part of a game (a one-row
    correction) must not shrink the game to that part. Callers validate before they open
    the warehouse."""
    warehouse.ensure_tables()
    warehouse.merge_frame(tables.PLAYER_GAME_SUMMARY.fqn, players)
    teams, games = pd.DataFrame(), pd.DataFrame()
    if len(players):
        first, last = players["game_date"].min().date(), players["game_date"].max().date()
        touched = set(players["game_id"])
        stored = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, first, last)
        stored = stored[stored["game_id"].isin(touched)]
        teams = build.team_game_summary(stored)
        scheduled = warehouse.read(tables.SCHEDULE.fqn, first, last)
        games = build.schedule(stored, scheduled[scheduled["game_id"].isin(touched)])
        warehouse.merge_frame(tables.TEAM_GAME_SUMMARY.fqn, teams)
        warehouse.merge_frame(tables.SCHEDULE.fqn, games)
    dates = players["game_date"]
    return ImportResult(
        files=files, player_rows=int(players["played"].sum()),
        did_not_play=int((~players["played"].astype(bool)).sum()), team_rows=len(teams), games=len(games),
        first_date=str(dates.min().date()) if len(dates) else None,
        last_date=str(dates.max().date()) if len(dates) else None)
