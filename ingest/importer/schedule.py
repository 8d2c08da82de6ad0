"""The league schedule: the public season feed (JSON) or a plain CSV, one row per game.

Feed layout (`leagueSchedule.gameDates[].games[]`): `gameId`, `gameDateEst` (the ET date,
written with a misleading `Z`), `gameDateTimeEst` (the ET tip-off, same `Z`), `homeTeam` and
`awayTeam` with `teamId` and `teamTricode`, `arenaName`, `isNeutral`, `postponedStatus`
("Y" when postponed), `gameLabel`. CSV: `game_id, game_date, tipoff_et, home, away, neutral`
and optionally `status`. Only games that are predicted are kept (regular season, play-in,
playoffs); knockout placeholders whose teams are not known yet are left for a later import."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from ingest.importer import limits
from ingest.importer.layouts import ImportValidationError, Problem
from shared import tables
from shared.ports import Warehouse
from shared.teams import TEAM_IDS
from shared.timetable import EASTERN

# the game id's first three digits say what kind of game it is
GAME_TYPES = {"001": "preseason", "002": "regular", "003": "all_star", "004": "playoffs", "005": "play_in",
              "006": "cup_final"}
PREDICTED = ("regular", "play_in", "playoffs")
CSV_COLUMNS = ("game_id", "game_date", "tipoff_et", "home", "away", "neutral")
TRUE, FALSE = ("true", "1", "yes", "y", "t"), ("false", "0", "no", "n", "f", "")


@dataclass
class ScheduleFile:
    games: pd.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)   # reason -> games left out


def season_of(game_id: str) -> str:
    start = 2000 + int(game_id[3:5])
    return f"{start}-{(start + 1) % 100:02d}"


def read_schedule(path: Path) -> ScheduleFile:
    """Parse and validate one file; raise ImportValidationError naming every problem."""
    name = str(path)
    size = limits.oversize(path)
    if size is not None:
        raise ImportValidationError([Problem(name, 0, "-", size, limits.TOO_BIG)])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportValidationError([Problem(name, 0, "-", "-", f"cannot read file: {exc}")]) from None
    if text.lstrip().startswith("{"):
        rows, skipped, problems = _feed(name, text)
    else:
        rows, skipped, problems = _csv(name, path)
    if problems:
        raise ImportValidationError(problems)
    games = pd.DataFrame(rows, columns=[c for c, _ in tables.SCHEDULE.columns])
    dup = games[games.duplicated("game_id", keep=False)]
    if len(dup):
        raise ImportValidationError([Problem(name, 0, "game_id", g, "listed more than once")
                                     for g in sorted(set(dup["game_id"]))[:20]])
    return ScheduleFile(games, skipped)


def _game(game_id, day, tipoff, home, away, neutral, status, arena, label, source) -> dict:
    return {"game_id": game_id, "game_date": pd.Timestamp(day), "season": season_of(game_id),
            "season_type": GAME_TYPES[game_id[:3]], "home_team_abbr": home, "away_team_abbr": away,
            "home_team_id": TEAM_IDS[home], "away_team_id": TEAM_IDS[away], "venue_known": True,
            "tipoff_utc": tipoff, "neutral": neutral, "status": status, "arena": arena, "game_label": label,
            "source": source}


def _eastern(day, clock: time | None):
    return None if clock is None else datetime.combine(day, clock, EASTERN).astimezone(ZoneInfo("UTC"))


def _feed(name: str, text: str):
    problems: list[Problem] = []
    rows: list[dict] = []
    skipped: dict[str, int] = {}
    try:
        dates = json.loads(text)["leagueSchedule"]["gameDates"]
        games = [(i, j, g) for i, d in enumerate(dates) for j, g in enumerate(d["games"])]
    except (ValueError, KeyError, TypeError) as exc:
        return [], {}, [Problem(name, 0, "leagueSchedule.gameDates[].games[]", "-",
                                f"not the league schedule feed ({type(exc).__name__}: {exc})")]
    except RecursionError:
        return [], {}, [Problem(name, 0, "-", "-", "not the league schedule feed: nested too deeply to read")]
    for n, (i, j, g) in enumerate(games, 1):
        if not isinstance(g, dict):
            problems.append(Problem(name, n, f"gameDates[{i}].games[{j}]", str(g), "not a game object"))
            continue
        found: list[tuple[str, object, str]] = []
        game_id = str(g.get("gameId", ""))
        kind = GAME_TYPES.get(game_id[:3]) if len(game_id) == 10 and game_id.isdigit() else None
        if kind is None:
            found.append(("gameId", game_id, "not a 10-digit NBA game id"))
        elif kind not in PREDICTED:
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        teams = {side: (g.get(side) or {}) for side in ("homeTeam", "awayTeam")}
        odd = [(side, team) for side, team in teams.items() if not isinstance(team, dict)]
        if odd:
            problems += [Problem(name, n, f"gameDates[{i}].games[{j}].{side}", str(team), "not a team object")
                         for side, team in odd]
            continue
        if not found and any(not t.get("teamTricode") or not t.get("teamId") for t in teams.values()):
            skipped["teams not decided yet"] = skipped.get("teams not decided yet", 0) + 1
            continue
        codes = {side: str(t.get("teamTricode")) for side, t in teams.items()}
        found += [(f"{side}.teamTricode", code, "not an NBA team") for side, code in codes.items()
                  if code not in TEAM_IDS]
        if codes["homeTeam"] == codes["awayTeam"]:
            found.append(("awayTeam.teamTricode", codes["awayTeam"], "a team cannot play itself"))
        day = _date(g.get("gameDateEst"))
        if day is None:
            found.append(("gameDateEst", g.get("gameDateEst"), "not a date (YYYY-MM-DD...)"))
        elif problem := limits.date_problem(day):
            found.append(("gameDateEst", g.get("gameDateEst"), problem))
        tip = g.get("gameDateTimeEst")
        clock = _clock(str(tip)[11:16]) if tip else None
        if tip and clock is None:
            found.append(("gameDateTimeEst", tip, "not a date and time"))
        neutral = g.get("isNeutral", False)
        if not isinstance(neutral, bool):
            found.append(("isNeutral", neutral, "not true or false"))
        free = {col: _free_text(g.get(col)) for col in ("arenaName", "gameLabel")}
        found += [(col, g.get(col), reason) for col, (_, reason) in free.items() if reason]
        if found:
            where = f"gameDates[{i}].games[{j}]"
            problems += [Problem(name, n, f"{where}.{col}", str(value), reason) for col, value, reason in found]
            continue
        status = "postponed" if str(g.get("postponedStatus", "")).upper() == "Y" else "scheduled"
        rows.append(_game(game_id, day, _eastern(day, clock), codes["homeTeam"], codes["awayTeam"], neutral,
                          status, free["arenaName"][0] or None, free["gameLabel"][0] or None, "feed"))
    return rows, skipped, problems


def _free_text(value) -> tuple[str, str | None]:
    """An optional text field of the feed and what is wrong with it, if anything."""
    if value is None:
        return "", None
    if not isinstance(value, str):
        return "", "not text"
    return value.strip(), limits.text_problem(value.strip(), limits.MAX_TEXT)


def _date(value):
    try:
        return datetime.strptime(str(value)[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


def _clock(value: str) -> time | None:
    try:
        return datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        return None


def _csv(name: str, path: Path):
    problems, rows = [], []
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return [], {}, [Problem(name, 0, "-", "-", f"cannot read file: {exc}")]
    missing = [c for c in CSV_COLUMNS if c not in raw.columns]
    if missing:
        return [], {}, [Problem(name, 1, c, "", "required column missing") for c in missing]
    if raw.empty:
        return [], {}, [Problem(name, 2, "-", "", "no rows after the header")]
    for n, r in enumerate(raw.to_dict("records"), 2):
        game_id, day = r["game_id"].strip(), _date(r["game_date"].strip())
        home, away = r["home"].strip().upper(), r["away"].strip().upper()
        clock = _clock(r["tipoff_et"]) if r["tipoff_et"].strip() else None
        status = r.get("status", "").strip().lower() or "scheduled"
        checks = [(len(game_id) == 10 and game_id.isdigit() and game_id[:3] in GAME_TYPES, "game_id",
                   "not a 10-digit NBA game id"),
                  (day is not None and len(r["game_date"].strip()) == 10, "game_date", "not a date (YYYY-MM-DD)"),
                  (day is None or not limits.date_problem(day), "game_date", limits.date_range()),
                  (not r["tipoff_et"].strip() or clock is not None, "tipoff_et", "not a time (HH:MM, 24-hour, ET)"),
                  (home in TEAM_IDS, "home", "not an NBA team tricode"),
                  (away in TEAM_IDS and away != home, "away", "not an NBA team tricode other than home"),
                  (r["neutral"].strip().lower() in TRUE + FALSE, "neutral", "not true or false"),
                  (status in tables.SCHEDULE_STATUSES, "status", f"not one of {', '.join(tables.SCHEDULE_STATUSES)}")]
        failed = [Problem(name, n, col, r.get(col, ""), reason) for ok, col, reason in checks if not ok]
        problems += failed
        if not failed:
            rows.append(_game(game_id, day, _eastern(day, clock), home, away,
                              r["neutral"].strip().lower() in TRUE, status, None, None, "csv"))
    return rows, {}, problems


def write_schedule(warehouse: Warehouse, schedule: ScheduleFile) -> dict[str, int]:
    """Merge on game_id (a moved game leaves its old date). A game the box scores already
    made final stays final, with the venue facts the schedule adds."""
    warehouse.ensure_tables()
    games = schedule.games
    if games.empty:
        return {"games": 0, "final": 0, "postponed": 0}
    stored = warehouse.read(tables.SCHEDULE.fqn, games["game_date"].min().date(), games["game_date"].max().date(),
                            columns=["game_id", "game_date", "status"])
    final = stored.loc[stored["status"] == "final"].set_index("game_id")
    played = games["game_id"].isin(final.index)
    games = games.copy()
    games.loc[played, "status"] = "final"
    games.loc[played, "game_date"] = final["game_date"].reindex(games.loc[played, "game_id"]).to_numpy()
    warehouse.merge_frame(tables.SCHEDULE.fqn, games)
    return {"games": len(games), "final": int(played.sum()), "postponed": int((games["status"] == "postponed").sum())}
