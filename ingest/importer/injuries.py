"""The league's official injury report, or a plain CSV, into ``analytics.injury_report``.

Official layout (the table extracted from the published PDF): `Game Date, Game Time, Matchup,
Team, Player Name, Current Status, Reason`; a game's date, time and matchup (AWAY@HOME) are
on its first row only, a team's name on its first row only, names are "Last, First" without
accents. A team that has not reported yet appears as a row with no player and the reason
NOT YET SUBMITTED. The report's time comes from `--as-of` or from the league's file name
(Injury-Report_2024-01-15_05PM). Plain CSV: `status, as_of` and `player_id` or
`player_name` with `team`; `game_date` optional (else the team's next scheduled game)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from ingest.importer import limits
from ingest.importer.slate_inputs import (
    Problems,
    as_of_from_name,
    eastern_date,
    game_date_for,
    instant,
    next_games,
    plausible,
    text,
)
from shared import tables
from shared.players import Directory, from_report
from shared.ports import Warehouse
from shared.teams import tricode

OFFICIAL = ("Game Date", "Game Time", "Matchup", "Team", "Player Name", "Current Status", "Reason")


@dataclass
class InjuryImport:
    rows: int
    out: int
    reports: int
    unmatched: list[str]       # "Name (TEAM)" the directory could not resolve: stored, not used


def import_injuries(warehouse: Warehouse, path: Path, as_of: pd.Timestamp | None = None,
                    source: str | None = None) -> InjuryImport:
    """Parse and validate the whole file, resolve names, then merge; a bad file writes nothing.
    ``source`` is the name the rows keep as their file (default the file's own name): a fetched
    report is read here through a table written from its PDF, and keeps the PDF's name."""
    problems = Problems(str(path))
    size = limits.oversize(path)
    if size is not None:
        problems.add(0, "-", size, limits.TOO_BIG)
        problems.raise_any()
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.add(0, "-", "-", f"cannot read file: {exc}")
        problems.raise_any()
    raw.columns = [c.strip() for c in raw.columns]
    if raw.empty:
        problems.add(2, "-", "", "no rows after the header")
        problems.raise_any()
    warehouse.ensure_tables()   # the report may come before any box scores: names then match nobody
    if set(OFFICIAL) <= set(raw.columns):
        if as_of is not None:   # a caller's instant: named by its parts, which any year can give
            when = plausible(as_of, 0, "as_of", f"{as_of.year:04d}-{as_of.month:02d}-{as_of.day:02d}", problems)
        else:
            when = as_of_from_name(path.name, problems)
        problems.raise_any()
        if when is None:
            problems.add(0, "as_of", path.name, "the report's time is unknown: give it (ET) or keep the "
                                                "league's file name, e.g. Injury-Report_2024-01-15_05PM")
            problems.raise_any()
        frame = _official(raw, when, problems)
    else:
        frame = _plain(warehouse, raw, problems)
    problems.raise_any()
    if frame.empty:
        return InjuryImport(0, 0, 0, [])
    directory = Directory.from_warehouse(warehouse, frame["game_date"].max().date())
    resolved = directory.resolve_frame(frame)
    frame["player_id"] = pd.array(frame["player_id"], dtype="Int64").fillna(resolved)
    unmatched = frame[frame["player_id"].isna()]
    frame = frame.assign(source_file=source or path.name)
    warehouse.merge_frame(tables.INJURY_REPORT.fqn, frame)
    return InjuryImport(len(frame), int((frame["status"] == "Out").sum()), frame["as_of"].nunique(),
                        [f"{n} ({t})" for n, t in zip(unmatched["player_name"], unmatched["team_abbr"], strict=True)])


def _status(value: str) -> str | None:
    text = value.strip().title()
    return text if text in tables.INJURY_STATUSES else None


def _official(raw: pd.DataFrame, as_of: pd.Timestamp, problems: Problems) -> pd.DataFrame:
    rows, day, matchup, team = [], None, None, None
    for n, r in enumerate(raw.to_dict("records"), 2):
        if r["Game Date"].strip():
            try:
                given = datetime.strptime(r["Game Date"].strip(), "%m/%d/%Y").date()
            except ValueError:
                problems.add(n, "Game Date", r["Game Date"], "not a date (MM/DD/YYYY)")
                continue
            if problem := limits.date_problem(given):
                problems.add(n, "Game Date", r["Game Date"], problem)
                continue
            day = given
        if r["Matchup"].strip():
            sides = r["Matchup"].strip().split("@")
            if len(sides) != 2 or not all(tricode(s) for s in sides):
                problems.add(n, "Matchup", r["Matchup"], "not AWAY@HOME with two team tricodes")
                continue
            matchup, team = {tricode(s) for s in sides}, None
        if r["Team"].strip():
            team = tricode(r["Team"])
            if team is None or matchup is not None and team not in matchup:
                problems.add(n, "Team", r["Team"], "not a team in this row's matchup")
                continue
        name = text(r["Player Name"], limits.MAX_NAME, n, "Player Name", problems)
        reason = text(r["Reason"], limits.MAX_TEXT, n, "Reason", problems)
        if not name and reason.upper() == "NOT YET SUBMITTED":
            continue
        if day is None or matchup is None or team is None:
            problems.add(n, "Game Date", r["Game Date"], "a row before any game date, matchup and team")
            continue
        status = _status(r["Current Status"])
        if not name:
            problems.add(n, "Player Name", "", "empty")
        elif status is None:
            problems.add(n, "Current Status", r["Current Status"], f"not one of {', '.join(tables.INJURY_STATUSES)}")
        else:
            rows.append({"game_date": pd.Timestamp(day), "as_of": as_of, "team_abbr": team,
                         "player_name": from_report(name), "player_id": None, "status": status,
                         "reason": reason or None})
    return pd.DataFrame(rows, columns=["game_date", "as_of", "team_abbr", "player_name", "player_id", "status",
                                       "reason"])


def _plain(warehouse: Warehouse, raw: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    has_id, has_name = "player_id" in raw.columns, {"player_name", "team"} <= set(raw.columns)
    for col in ("status", "as_of"):
        if col not in raw.columns:
            problems.add(1, col, "", "required column missing (official layout: " + ", ".join(OFFICIAL) + ")")
    if not (has_id or has_name):
        problems.add(1, "player_id", "", "required: player_id, or player_name and team")
    problems.raise_any()
    stamps = [plausible(instant(v), n, "as_of", v, problems) for n, v in enumerate(raw["as_of"], 2)]
    known = [s for s in stamps if s is not None]
    games = next_games(warehouse, min(eastern_date(s) for s in known) - timedelta(days=1), 14) if known else None
    directory = Directory.from_warehouse(warehouse, eastern_date(max(known)) + timedelta(days=14)) if known else None
    rows = []
    for n, (r, when) in enumerate(zip(raw.to_dict("records"), stamps, strict=True), 2):
        status = _status(r["status"])
        pid = str(r.get("player_id", "")).strip()
        name = text(r.get("player_name", ""), limits.MAX_NAME, n, "player_name", problems)
        reason = text(r.get("reason", ""), limits.MAX_TEXT, n, "reason", problems)
        team = tricode(r.get("team", "") or "-")
        if pid:
            if not pid.isdigit():
                problems.add(n, "player_id", pid, "not a player id")
                continue
            found = next((p for p in directory.players if p.player_id == int(pid)), None) if directory else None
            if found is None:
                problems.add(n, "player_id", pid, "no such player in the box scores")
                continue
            name, team = name or found.player_name, team or found.team_abbr
        elif not name or team is None:
            problems.add(n, "team" if name else "player_name", r.get("team" if name else "player_name"),
                         "a team tricode or name is required" if name else "empty")
            continue
        if status is None:
            problems.add(n, "status", r["status"], f"not one of {', '.join(tables.INJURY_STATUSES)}")
            continue
        if when is None:
            if instant(r["as_of"]) is None:
                problems.add(n, "as_of", r["as_of"], "not a date and time (ISO 8601; ET when no zone is given)")
            continue
        day = _given_date(r, n, problems) if r.get("game_date", "").strip() else game_date_for(games, team, when)
        if day is None:
            if not r.get("game_date", "").strip():
                problems.add(n, "as_of", r["as_of"], f"{team} has no scheduled game on or after this date; "
                                                     "import the schedule first or give game_date")
            continue
        rows.append({"game_date": pd.Timestamp(day), "as_of": when, "team_abbr": team, "player_name": name,
                     "player_id": int(pid) if pid else None, "status": status, "reason": reason or None})
    return pd.DataFrame(rows, columns=["game_date", "as_of", "team_abbr", "player_name", "player_id", "status",
                                       "reason"])


def _given_date(r: dict, n: int, problems: Problems):
    try:
        day = datetime.strptime(r["game_date"].strip(), "%Y-%m-%d").date()
    except ValueError:
        problems.add(n, "game_date", r["game_date"], "not a date (YYYY-MM-DD)")
        return None
    if problem := limits.date_problem(day):
        problems.add(n, "game_date", r["game_date"], problem)
        return None
    return day
