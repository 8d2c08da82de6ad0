"""Sportsbook player-prop lines into ``analytics.prop_lines``.

Odds-API event odds (one event or a list): `commence_time` (UTC: a 7:30 pm ET tip is the next
day in UTC), `home_team`/`away_team` (full names), `bookmakers[].markets[]` keyed
`player_points`, `player_rebounds`, `player_assists`, `player_threes`,
`player_points_rebounds_assists`, each with `outcomes[]` of `name` Over/Under, `description`
(the player), `point` and `price` (decimal or American). Plain CSV: `player_name, team, prop,
line, over_price, under_price, book, as_of`. Prices are stored as decimal odds."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pandas as pd

from ingest.importer import limits
from ingest.importer.slate_inputs import (
    LINE_PROPS,
    Problems,
    decimal_price,
    eastern_date,
    game_date_for,
    instant,
    next_games,
    plausible,
    text,
)
from shared import tables
from shared.players import Directory
from shared.ports import Warehouse
from shared.teams import tricode

MARKETS = {"player_points": "points", "player_rebounds": "rebounds", "player_assists": "assists",
           "player_threes": "threes", "player_points_rebounds_assists": "pra"}
CSV_COLUMNS = ("player_name", "team", "prop", "line", "over_price", "under_price", "book", "as_of")
COLUMNS = ["game_date", "as_of", "book", "prop", "player_name", "player_id", "team_abbr", "line", "over_price",
           "under_price"]


@dataclass
class LinesImport:
    rows: int
    players: int
    books: int
    skipped_markets: dict[str, int]
    unmatched: list[str]


def import_lines(warehouse: Warehouse, path: Path) -> LinesImport:
    problems = Problems(str(path))
    size = limits.oversize(path)
    if size is not None:
        problems.add(0, "-", size, limits.TOO_BIG)
        problems.raise_any()
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(0, "-", "-", f"cannot read file: {exc}")
        problems.raise_any()
    skipped: dict[str, int] = {}
    if content.lstrip()[:1] in ("{", "["):
        frame = _events(content, problems, skipped)
    else:
        frame = _csv(warehouse, path, problems)
    problems.raise_any()
    if frame.empty:
        return LinesImport(0, 0, 0, skipped, [])
    warehouse.ensure_tables()   # lines may come before any box scores: names then match nobody
    directory = Directory.from_warehouse(warehouse, frame["game_date"].max().date())
    teams = frame["team_abbr"].where(frame["team_abbr"] != "", None)
    players = [directory.resolve(n, t) for n, t in zip(frame["player_name"], teams, strict=True)]
    frame["player_id"] = pd.array([getattr(p, "player_id", None) for p in players], dtype="Int64")
    # the odds feed does not say which side a player is on: the directory does
    frame["team_abbr"] = [t or getattr(p, "team_abbr", "") or "" for t, p in zip(frame["team_abbr"], players,
                                                                                  strict=True)]
    frame = frame.assign(source_file=path.name)
    warehouse.merge_frame(tables.PROP_LINES.fqn, frame)
    unmatched = sorted(set(frame.loc[frame["player_id"].isna(), "player_name"]))
    return LinesImport(len(frame), int(frame["player_id"].nunique()), int(frame["book"].nunique()), skipped,
                       unmatched)


def _events(content: str, problems: Problems, skipped: dict[str, int]) -> pd.DataFrame:
    try:
        data = json.loads(content)
    except ValueError as exc:
        problems.add(0, "-", "-", f"not JSON: {exc}")
        return pd.DataFrame(columns=COLUMNS)
    except RecursionError:
        problems.add(0, "-", "-", "not the odds API's event odds: nested too deeply to read")
        return pd.DataFrame(columns=COLUMNS)
    events = data if isinstance(data, list) else [data]
    rows = []
    for e, event in enumerate(events):
        where = f"[{e}]"
        if not isinstance(event, dict) or "bookmakers" not in event:
            problems.add(e + 1, where, "-", "not an event with bookmakers[] (the odds API's event odds)")
            continue
        tip = instant(event.get("commence_time"))
        teams = [tricode(event.get(side) or "") for side in ("home_team", "away_team")]
        if tip is None:
            problems.add(e + 1, f"{where}.commence_time", event.get("commence_time"), "not a UTC date and time")
        tip = plausible(tip, e + 1, f"{where}.commence_time", event.get("commence_time"), problems)
        for side, code in zip(("home_team", "away_team"), teams, strict=True):
            if code is None:
                problems.add(e + 1, f"{where}.{side}", event.get(side), "not an NBA team")
        if tip is None or None in teams:
            continue
        for b, book in _objects(event["bookmakers"], f"{where}.bookmakers", e + 1, problems):
            key = text(str(book.get("key")), limits.MAX_NAME, e + 1, f"{where}.bookmakers[{b}].key", problems)
            for m, market in _objects(book.get("markets"), f"{where}.bookmakers[{b}].markets", e + 1, problems):
                at = f"{where}.bookmakers[{b}].markets[{m}]"
                kind = text(str(market.get("key")), limits.MAX_NAME, e + 1, f"{at}.key", problems)
                prop = MARKETS.get(kind)
                if prop is None:
                    skipped[kind] = skipped.get(kind, 0) + 1
                    continue
                stamp = market.get("last_update") or book.get("last_update")
                as_of = instant(stamp)
                if as_of is None:
                    problems.add(e + 1, f"{at}.last_update", market.get("last_update"), "not a date and time")
                    continue
                as_of = plausible(as_of, e + 1, f"{at}.last_update", stamp, problems)
                if as_of is None:
                    continue
                rows += _pairs(_objects(market.get("outcomes"), f"{at}.outcomes", e + 1, problems), at, e + 1,
                               problems, {
                    "game_date": pd.Timestamp(eastern_date(tip)), "as_of": as_of, "book": key,
                    "prop": prop, "team_abbr": ""})
    return pd.DataFrame(rows, columns=COLUMNS)


def _objects(value, at: str, line: int, problems: Problems) -> list[tuple[int, dict]]:
    """The objects of an optional JSON list with their indexes; anything else is a problem."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(line, at, value, "not a list")
        return []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            problems.add(line, f"{at}[{i}]", item, "not an object")
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _pairs(outcomes: list[tuple[int, dict]], at: str, line: int, problems: Problems, base: dict) -> list[dict]:
    """Over and Under of one player at one point make one row."""
    sides: dict[tuple[str, float], dict] = {}
    for o, outcome in outcomes:
        name = text(str(outcome.get("description", "")), limits.MAX_NAME, line, f"{at}.outcomes[{o}].description",
                    problems)
        side = str(outcome.get("name", "")).title()
        price, point = decimal_price(outcome.get("price")), outcome.get("point")
        if side not in ("Over", "Under") or not name:
            problems.add(line, f"{at}.outcomes[{o}]", outcome.get("name"), "not an Over or Under of a named player")
        elif price is None:
            problems.add(line, f"{at}.outcomes[{o}].price", outcome.get("price"), "not decimal or American odds")
        elif not isinstance(point, (int, float)) or not 0 <= point <= 200:
            problems.add(line, f"{at}.outcomes[{o}].point", point, "not a line between 0 and 200")
        else:
            sides.setdefault((name, float(point)), {})[side] = price
    return [{**base, "player_name": name, "player_id": None, "line": point, "over_price": prices.get("Over"),
             "under_price": prices.get("Under")} for (name, point), prices in sides.items()]


def _csv(warehouse: Warehouse, path: Path, problems: Problems) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.add(0, "-", "-", f"cannot read file: {exc}")
        return pd.DataFrame(columns=COLUMNS)
    missing = [c for c in CSV_COLUMNS if c not in raw.columns]
    for col in missing:
        problems.add(1, col, "", "required column missing")
    if missing or raw.empty:
        if not missing:
            problems.add(2, "-", "", "no rows after the header")
        return pd.DataFrame(columns=COLUMNS)
    stamps = [plausible(instant(v), n, "as_of", v, problems) for n, v in enumerate(raw["as_of"], 2)]
    known = [s for s in stamps if s is not None]
    games = next_games(warehouse, min(eastern_date(s) for s in known) - timedelta(days=1), 14) if known else None
    rows = []
    for n, (r, when) in enumerate(zip(raw.to_dict("records"), stamps, strict=True), 2):
        before = len(problems.found)
        name = text(r["player_name"], limits.MAX_NAME, n, "player_name", problems)
        book = text(r["book"], limits.MAX_NAME, n, "book", problems)
        team, prop = tricode(r["team"]), r["prop"].strip().lower()
        line = pd.to_numeric(r["line"], errors="coerce")
        prices = {k: decimal_price(r[k]) if r[k].strip() else None for k in ("over_price", "under_price")}
        checks = [(bool(name), "player_name", "empty"),
                  (team is not None, "team", "not an NBA team"),
                  (prop in LINE_PROPS, "prop", f"not one of {', '.join(LINE_PROPS)}"),
                  (pd.notna(line) and 0 <= line <= 200, "line", "not a number between 0 and 200"),
                  (not r["over_price"].strip() or prices["over_price"], "over_price", "not decimal or American odds"),
                  (not r["under_price"].strip() or prices["under_price"], "under_price",
                   "not decimal or American odds"),
                  (bool(book), "book", "empty"),
                  (when is not None or instant(r["as_of"]) is not None, "as_of",
                   "not a date and time (ISO 8601; ET when no zone is given)")]
        for ok, col, reason in checks:
            if not ok:
                problems.add(n, col, r[col], reason)
        if len(problems.found) > before or when is None or team is None:
            continue
        day = game_date_for(games, team, when)
        if day is None:
            problems.add(n, "as_of", r["as_of"], f"{team} has no scheduled game on or after this date; import "
                                                 "the schedule first")
            continue
        rows.append({"game_date": pd.Timestamp(day), "as_of": when, "book": book, "prop": prop,
                     "player_name": name, "player_id": None, "team_abbr": team,
                     "line": float(line), **prices})
    return pd.DataFrame(rows, columns=COLUMNS)
