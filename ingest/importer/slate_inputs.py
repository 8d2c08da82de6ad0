"""What the injury-report and odds importers share: instants, prices, team names, the game
date a report or a line is for, and the all-or-nothing problem list."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from ingest.importer import limits
from ingest.importer.layouts import ImportValidationError, Problem
from shared import tables
from shared.catalogue import PROP_NAMES
from shared.ports import Warehouse
from shared.schedule import playable
from shared.timetable import EASTERN

UTC = ZoneInfo("UTC")
LINE_PROPS = PROP_NAMES


class Problems:
    def __init__(self, file: str):
        self.file = file
        self.found: list[Problem] = []

    def add(self, line: int, column: str, value, reason: str) -> None:
        self.found.append(Problem(self.file, line, column, "" if value is None else str(value), reason))

    def raise_any(self) -> None:
        if self.found:
            raise ImportValidationError(self.found)


def instant(value) -> pd.Timestamp | None:
    """An ISO date-time with a zone (Z or an offset) as UTC; a naive one is read as ET."""
    try:
        stamp = pd.Timestamp(str(value).strip())
    except (ValueError, TypeError):
        return None
    if pd.isna(stamp):
        return None
    return (stamp.tz_localize(EASTERN) if stamp.tzinfo is None else stamp).tz_convert(UTC)


def eastern_date(stamp: pd.Timestamp) -> date:
    return stamp.tz_convert(EASTERN).date()


def decimal_price(value) -> float | None:
    """Decimal odds (1.91) or American (-110, +105) as decimal odds; None when neither."""
    try:
        price = float(str(value).strip())
    except ValueError:
        return None
    if price <= -100:
        return 1 + 100 / -price
    if price >= 100:
        return 1 + price / 100
    return price if 1 < price < 100 else None


_REPORT_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{1,2})(?:_?(\d{2}))?\s*(AM|PM)", re.I)


def as_of_from_name(name: str, problems: Problems) -> pd.Timestamp | None:
    """The league names its reports after their time: Injury-Report_2024-01-15_05PM.pdf (ET).
    None when the name does not say; an impossible or implausible time is a problem."""
    found = _REPORT_NAME.search(name)
    if not found:
        return None
    day, hour, minute, half = found.groups()
    try:
        clock = datetime.strptime(f"{int(hour)}:{minute or '00'} {half.upper()}", "%I:%M %p").time()
        when = datetime.combine(date.fromisoformat(day), clock, EASTERN)
    except ValueError:
        problems.add(0, "file name", found.group(0), "not a real date and time")
        return None
    outside = limits.date_problem(when)
    if outside:
        problems.add(0, "file name", found.group(0), outside)
        return None
    return pd.Timestamp(when).tz_convert(UTC)


def text(value, limit: int, line: int, column: str, problems: Problems) -> str:
    """Free text with its runs of white space made one space (the report's PDF wraps cells),
    checked against ``limit`` and for control characters; a problem is recorded, not raised."""
    if not isinstance(value, str):
        problems.add(line, column, value, "not text")
        return ""
    flat = " ".join(value.split())
    found = limits.text_problem(flat, limit)
    if found:
        problems.add(line, column, value, found)
    return flat


def plausible(stamp: pd.Timestamp | None, line: int, column: str, value, problems: Problems) -> pd.Timestamp | None:
    """The instant when its date is within the league's life; else None and a problem."""
    outside = None if stamp is None else limits.date_problem(stamp)
    if outside:
        problems.add(line, column, value, outside)
        return None
    return stamp


def next_games(warehouse: Warehouse, first: date, days: int = 7) -> pd.DataFrame:
    """One row per (team, game date) scheduled from ``first`` on, for finding the game a
    report or line dated ``as_of`` is about."""
    sched = playable(warehouse.read(tables.SCHEDULE.fqn, first, first + timedelta(days=days)))
    both = pd.concat([sched.assign(team_abbr=sched["home_team_abbr"]),
                      sched.assign(team_abbr=sched["away_team_abbr"])])
    return both[["team_abbr", "game_date"]].sort_values("game_date").reset_index(drop=True)


def game_date_for(games: pd.DataFrame, team: str, when: pd.Timestamp) -> date | None:
    """The team's first scheduled game on or after the ET date of ``when``."""
    day = pd.Timestamp(eastern_date(when))
    found = games[(games["team_abbr"] == team) & (games["game_date"] >= day)]
    return None if found.empty else found["game_date"].iloc[0].date()
