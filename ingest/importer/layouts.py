"""Read box-score files in either known layout into one canonical player-game frame,
validating every row. All problems are collected; nothing is written if any exists."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.importer import limits

STATS = ["pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "stl", "blk",
         "tov", "pf"]

MAX_ID = 2**31 - 1      # ids are stored as INTEGER-sized values everywhere downstream
MAX_STAT = 1000         # far beyond any box score; guards the integer columns from overflow

CANONICAL = ["game_id", "game_date", "season", "season_type", "player_id", "player_name", "team_id",
             "team_abbr", "opponent_abbr", "is_home", "win", "played", "dnp_reason", "minutes", *STATS,
             "plus_minus", "source_file", "line"]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: column {self.column} = {shown(self.value)}: {self.reason}"


def shown(value: str, room: int = 80) -> str:
    """A value as a problem line quotes it: whole when short, else its start and its length
    (a 2 MB cell must not become a 2 MB message)."""
    if len(value) <= room:
        return repr(value)
    return f"{value[:room - 20]!r}... ({len(value):,} characters)"


class ImportValidationError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s); nothing was imported:\n  {shown}{more}")


REGULAR = {  # player_logs layout (stats.nba.com leaguegamefinder)
    "GAME_ID": "game_id", "GAME_DATE": "game_date", "SEASON_LABEL": "season", "PLAYER_ID": "player_id",
    "PLAYER_NAME": "player_name", "TEAM_ID": "team_id", "TEAM_ABBREVIATION": "team_abbr",
    "MATCHUP": "matchup", "WL": "wl", "MIN": "minutes", "PTS": "pts", "FGM": "fgm", "FGA": "fga",
    "FG3M": "fg3m", "FG3A": "fg3a", "FTM": "ftm", "FTA": "fta", "OREB": "oreb", "DREB": "dreb",
    "REB": "reb", "AST": "ast", "STL": "stl", "BLK": "blk", "TOV": "tov", "PF": "pf",
    "PLUS_MINUS": "plus_minus",
}
PLAYOFF = {  # second source: playoff box scores with DNP rows
    "gameId": "game_id", "game_date": "game_date", "season_year": "season", "personId": "player_id",
    "personName": "player_name", "teamId": "team_id", "teamTricode": "team_abbr", "comment": "comment",
    "minutes": "minutes", "points": "pts", "fieldGoalsMade": "fgm", "fieldGoalsAttempted": "fga",
    "threePointersMade": "fg3m", "threePointersAttempted": "fg3a", "freeThrowsMade": "ftm",
    "freeThrowsAttempted": "fta", "reboundsOffensive": "oreb", "reboundsDefensive": "dreb",
    "reboundsTotal": "reb", "assists": "ast", "steals": "stl", "blocks": "blk", "turnovers": "tov",
    "foulsPersonal": "pf", "plusMinusPoints": "plus_minus",
}

EXPECTED = ("a header with GAME_ID, GAME_DATE, PLAYER_ID, PLAYER_NAME, TEAM_ID, TEAM_ABBREVIATION, MATCHUP, ... "
            "(stats.nba.com player logs) or gameId, game_date, personId, personName, teamTricode, minutes, ... "
            "(playoff box scores)")


class _Checker:
    def __init__(self, file: str, raw: pd.DataFrame, source_names: dict[str, str]):
        self.file, self.raw = file, raw
        self.problems: list[Problem] = []
        self.source_names = source_names  # canonical -> the file's own column name
        self.lines = np.arange(len(raw)) + 2  # header is line 1

    def flag(self, mask, column: str, reason: str, values=None) -> None:
        mask = np.asarray(mask, dtype=bool)
        vals = (values if values is not None else self.raw[column]).to_numpy()
        for i in np.flatnonzero(mask)[:50]:
            name = self.source_names.get(column, column)
            self.problems.append(Problem(self.file, int(self.lines[i]), name, str(vals[i]), reason))

    def text(self, column: str, limit: int) -> pd.Series:
        """Free text stripped, at most ``limit`` characters, no control characters."""
        s = self.raw[column].str.strip()
        for i in np.flatnonzero(limits.texts_with_problems(s, limit).to_numpy())[:50]:
            self.problems.append(Problem(self.file, int(self.lines[i]), self.source_names.get(column, column),
                                         s.iloc[i], limits.text_problem(s.iloc[i], limit) or ""))
        return s

    def number(self, column: str, allow_empty: bool = False, integer: bool = True,
               low: float | None = None, high: float | None = None) -> pd.Series:
        s = self.raw[column].str.strip()
        num = pd.to_numeric(s.where(s != ""), errors="coerce")
        bad = num.isna() & (s != "")
        if not allow_empty:
            bad |= s == ""
        if integer:
            bad |= num.notna() & (num % 1 != 0)
        self.flag(bad, column, "not a whole number" if integer else "not a number")
        if low is not None:
            self.flag(num < low, column, f"below {low}")
        if high is not None:
            self.flag(num > high, column, f"above {high}")
        return num


def detect_layout(columns: list[str]) -> tuple[str, dict]:
    if "GAME_ID" in columns or "PLAYER_ID" in columns:
        return "regular", REGULAR
    if "gameId" in columns or "personId" in columns:
        return "playoff", PLAYOFF
    return "unknown", REGULAR


def read_file(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    name = str(path)
    size = limits.oversize(path)
    if size is not None:
        return pd.DataFrame(), [Problem(name, 0, "-", size, limits.TOO_BIG)]
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer")
    except (OSError, EOFError) as exc:
        return pd.DataFrame(), [Problem(name, 0, "-", "-", f"cannot read file: {exc}")]
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        what = {"ParserError": "rows of different widths", "EmptyDataError": "an empty file",
                "UnicodeDecodeError": "not UTF-8 text"}[type(exc).__name__]
        return pd.DataFrame(), [_not_box_scores(name, what)]
    layout, mapping = detect_layout(list(raw.columns))
    if layout == "unknown":
        return pd.DataFrame(), [_not_box_scores(name, "no GAME_ID, PLAYER_ID, gameId or personId in its header")]
    if not isinstance(raw.index, pd.RangeIndex):   # pandas turns the surplus fields of long rows into an index
        return pd.DataFrame(), _long_rows(path, name)
    missing = [c for c in mapping if c not in raw.columns]
    if missing:
        return pd.DataFrame(), [Problem(name, 1, c, "", f"required column missing ({layout} layout)")
                                for c in missing]
    if raw.empty:   # a header alone would "import" nothing and report an empty range
        return pd.DataFrame(), [Problem(name, 2, "-", "", "no rows after the header")]
    raw = raw[list(mapping)].rename(columns=mapping)
    check = _Checker(name, raw, {v: k for k, v in mapping.items()})
    out = pd.DataFrame({"line": check.lines, "source_file": path.name})
    out["game_id"] = raw["game_id"].str.strip()
    if layout == "playoff":
        out["game_id"] = out["game_id"].str.zfill(10)
    check.flag(~out["game_id"].str.fullmatch(r"\d{10}"), "game_id", "not a 10-digit game id", out["game_id"])
    dates = pd.to_datetime(raw["game_date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    check.flag(dates.isna(), "game_date", "not a date (YYYY-MM-DD)")
    check.flag(limits.dates_outside(dates), "game_date", limits.date_range())
    out["game_date"] = dates
    out["season"] = raw["season"].str.strip()
    check.flag(~out["season"].str.fullmatch(r"\d{4}-\d{2}"), "season", "not a season label like 2023-24")
    out["player_id"] = check.number("player_id", low=1, high=MAX_ID)
    out["team_id"] = check.number("team_id", low=1, high=MAX_ID)
    out["player_name"] = check.text("player_name", limits.MAX_NAME)
    out["team_abbr"] = raw["team_abbr"].str.strip()
    check.flag(~out["team_abbr"].str.fullmatch(r"[A-Z]{2,4}"), "team_abbr", "not a team abbreviation")
    for col in STATS:
        out[col] = check.number(col, allow_empty=layout == "playoff", low=0, high=MAX_STAT)
    out["plus_minus"] = check.number("plus_minus", allow_empty=True, integer=False, low=-MAX_STAT, high=MAX_STAT)
    if layout == "regular":
        _regular(raw, out, check)
    else:
        _playoff(raw, out, check)
    played = out["played"].to_numpy()
    calc = 2 * out["fgm"] + out["fg3m"] + out["ftm"]
    check.flag(played & (out["pts"] != calc).to_numpy() & calc.notna().to_numpy(), "pts",
               "PTS != 2*FGM + FG3M + FTM")
    check.flag(played & (out["reb"] != out["oreb"] + out["dreb"]).to_numpy(), "reb", "REB != OREB + DREB")
    check.flag(played & (out["fgm"] > out["fga"]).to_numpy(), "fgm", "FGM > FGA")
    if layout == "regular":
        _one_game_two_teams(out, check)
    return out[CANONICAL], check.problems


def _one_game_two_teams(out: pd.DataFrame, check: _Checker) -> None:
    """Within a file, a game has at most two teams, and each names the other as its opponent."""
    by_game = out.groupby("game_id")["team_abbr"]
    count, low, high = by_game.transform("nunique"), by_game.transform("min"), by_game.transform("max")
    check.flag(count > 2, "game_id", "more than two teams in this game", out["game_id"])
    other = high.where(out["team_abbr"] == low, low)
    check.flag((count == 2) & out["opponent_abbr"].notna() & (out["opponent_abbr"] != other), "matchup",
               "the opponent is not the other team in this game")


def _not_box_scores(name: str, what: str) -> Problem:
    return Problem(name, 0, "-", "-", f"not a CSV of box scores ({what}); expected {EXPECTED}")


def _long_rows(path: Path, name: str) -> list[Problem]:
    import csv
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        width = len(next(rows))
        found = [Problem(name, n, "-", f"{len(row)} fields", f"the header has {width} fields")
                 for n, row in enumerate(rows, 2) if len(row) > width][:20]
    # never an empty list: the file must be refused even if the csv module counts differently
    return found or [Problem(name, 2, "-", "-", "rows have more fields than the header")]


def _regular(raw: pd.DataFrame, out: pd.DataFrame, check: _Checker) -> None:
    out["season_type"] = "regular"
    parts = raw["matchup"].str.extract(r"^\s*([A-Z]{2,4}) (vs\.|@) ([A-Z]{2,4})\s*$")
    left, sep, right = parts[0], parts[1], parts[2]
    check.flag(left.isna(), "matchup", "not 'TEAM vs. OPP' or 'TEAM @ OPP'")
    # neutral-site games carry one MATCHUP for both teams ("ATL @ MIL" on the MIL rows too):
    # the player's team may stand on either side, as long as it stands on one
    on_left, on_right = left == out["team_abbr"], right == out["team_abbr"]
    check.flag(left.notna() & ~on_left & ~on_right, "matchup", "TEAM_ABBREVIATION is not in the game")
    check.flag(left.notna() & (left == right), "matchup", "a team cannot play itself")
    out["opponent_abbr"] = right.where(on_left, left)
    # "A @ B": B is at home; "A vs. B": A is
    out["is_home"] = (on_left & (sep == "vs.")) | (on_right & (sep == "@"))
    wl = raw["wl"].str.strip()
    check.flag(~wl.isin(["W", "L"]), "wl", "not W or L")
    out["win"] = wl == "W"
    out["minutes"] = check.number("minutes", low=0, high=75)
    out["played"] = True
    out["dnp_reason"] = None


def _playoff(raw: pd.DataFrame, out: pd.DataFrame, check: _Checker) -> None:
    out["season_type"] = "playoffs"
    text = raw["minutes"].str.strip()
    mm = text.str.extract(r"^(\d{1,2}):(\d{2})$").astype(float)
    # the source rounds seconds and sometimes writes "16:60", which means 17:00
    bad = (text != "") & (mm[0].isna() | (mm[1] > 60))
    check.flag(bad, "minutes", "not MM:SS")
    out["minutes"] = mm[0] + mm[1] / 60
    out["played"] = text != ""
    comment = check.text("comment", limits.MAX_TEXT)
    out["dnp_reason"] = comment.where(comment != "", "no minutes recorded").where(~out["played"], None)
    stat_cols = [*STATS, "plus_minus"]
    out.loc[~out["played"], stat_cols] = np.nan
    out.loc[~out["played"], "minutes"] = np.nan
    # opponent and result come from the other team in the same game
    teams = out.groupby(["game_id", "team_abbr"], sort=False)["pts"].sum(min_count=0).reset_index()
    other = teams.merge(teams, on="game_id", suffixes=("", "_opp"))
    other = other[other["team_abbr"] != other["team_abbr_opp"]]
    bad_games = teams.groupby("game_id").size()
    odd = bad_games[bad_games != 2].index
    check.flag(out["game_id"].isin(odd), "game_id", "game does not have exactly two teams", out["game_id"])
    keyed = other.set_index(["game_id", "team_abbr"])
    idx = pd.MultiIndex.from_frame(out[["game_id", "team_abbr"]])
    out["opponent_abbr"] = keyed["team_abbr_opp"].reindex(idx).to_numpy()
    out["win"] = (keyed["pts"] > keyed["pts_opp"]).reindex(idx).to_numpy()
    out["is_home"] = None
