"""Responses in the public sources' real layouts, built from real data: the stats API's
player game log from stats.nba.com player logs (the same facts, the API's column order
and JSON types). Tests and benchmarks serve them (devsupport/feed_sources.py); the small
fixtures under tests/fixtures/feeds/ were made with it."""
from __future__ import annotations

import json
import math

import pandas as pd

# leaguegamelog, PlayerOrTeam=P: resultSets[0].headers, in the API's order
PLAYER_LOG_HEADERS = ["SEASON_ID", "PLAYER_ID", "PLAYER_NAME", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_NAME", "GAME_ID",
                      "GAME_DATE", "MATCHUP", "WL", "MIN", "FGM", "FGA", "FG_PCT", "FG3M", "FG3A", "FG3_PCT", "FTM",
                      "FTA", "FT_PCT", "OREB", "DREB", "REB", "AST", "STL", "BLK", "TOV", "PF", "PTS", "PLUS_MINUS",
                      "FANTASY_PTS", "VIDEO_AVAILABLE"]
INTS = {"PLAYER_ID", "TEAM_ID", "MIN", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "REB", "AST", "STL",
        "BLK", "TOV", "PF", "PTS", "PLUS_MINUS"}
PCTS = {"FG_PCT", "FG3_PCT", "FT_PCT"}


def _value(column: str, text: str):
    if column in INTS:
        return int(float(text)) if text != "" else None
    if column in PCTS:
        return float(text) if text != "" else None
    return text


def player_log_rows(logs: pd.DataFrame) -> list[list]:
    """Player-log CSV rows (all columns as text) as the API's rowSet."""
    rows = []
    for r in logs.to_dict("records"):
        row = [_value(c, r[c]) for c in PLAYER_LOG_HEADERS[:-2]]
        fantasy = (int(r["PTS"]) + 1.2 * int(r["REB"]) + 1.5 * int(r["AST"]) + 3 * int(r["STL"]) + 3 * int(r["BLK"])
                   - int(r["TOV"]))
        rows.append([*row, round(fantasy, 1), 1])
    return rows


def player_log_response(rows: list[list], season: str, season_type: str = "Regular Season",
                        date_from: str | None = None, date_to: str | None = None) -> dict:
    return {"resource": "leaguegamelog",
            "parameters": {"LeagueID": "00", "Season": season, "SeasonType": season_type, "PlayerOrTeam": "P",
                           "Counter": 0, "Sorter": "DATE", "Direction": "ASC", "DateFrom": date_from,
                           "DateTo": date_to},
            "resultSets": [{"name": "LeagueGameLog", "headers": list(PLAYER_LOG_HEADERS), "rowSet": rows}]}


def playoff_rows(box: pd.DataFrame, game_id: str, home: str, season_id: str = "42022") -> list[list]:
    """One game of the playoff box-score layout (personId, minutes MM:SS, DNP rows) as the
    API's player game log: players who played, whole minutes, MATCHUP from the home team."""
    game = box[box["gameId"].str.zfill(10) == game_id]
    game = game[game["minutes"].fillna("").str.len() > 0]
    points = game.groupby("teamTricode")["points"].apply(lambda s: s.astype(int).sum())
    teams = list(points.index)
    rows = []
    for r in game.to_dict("records"):
        team = r["teamTricode"]
        other = teams[1] if team == teams[0] else teams[0]
        mm, ss = (int(x) for x in r["minutes"].split(":"))
        stats = {k: int(float(r[v])) for k, v in (("FGM", "fieldGoalsMade"), ("FGA", "fieldGoalsAttempted"),
                                                  ("FG3M", "threePointersMade"), ("FG3A", "threePointersAttempted"),
                                                  ("FTM", "freeThrowsMade"), ("FTA", "freeThrowsAttempted"),
                                                  ("OREB", "reboundsOffensive"), ("DREB", "reboundsDefensive"),
                                                  ("REB", "reboundsTotal"), ("AST", "assists"), ("STL", "steals"),
                                                  ("BLK", "blocks"), ("TOV", "turnovers"), ("PF", "foulsPersonal"),
                                                  ("PTS", "points"), ("PLUS_MINUS", "plusMinusPoints"))}
        pct = lambda made, tried: round(made / tried, 3) if tried else None  # noqa: E731
        fantasy = (stats["PTS"] + 1.2 * stats["REB"] + 1.5 * stats["AST"] + 3 * stats["STL"] + 3 * stats["BLK"]
                   - stats["TOV"])
        rows.append([season_id, int(r["personId"]), r["personName"], int(r["teamId"]), team,
                     f"{r['teamCity']} {r['teamName']}", game_id, r["game_date"],
                     f"{team} vs. {other}" if team == home else f"{team} @ {other}",
                     "W" if points[team] > points[other] else "L", int(math.floor(mm + ss / 60 + 0.5)),
                     stats["FGM"], stats["FGA"], pct(stats["FGM"], stats["FGA"]), stats["FG3M"], stats["FG3A"],
                     pct(stats["FG3M"], stats["FG3A"]), stats["FTM"], stats["FTA"], pct(stats["FTM"], stats["FTA"]),
                     stats["OREB"], stats["DREB"], stats["REB"], stats["AST"], stats["STL"], stats["BLK"],
                     stats["TOV"], stats["PF"], stats["PTS"], stats["PLUS_MINUS"], round(fantasy, 1), 1])
    return rows


def compact(data) -> bytes:
    """As the API sends it: one line, no spaces."""
    return json.dumps(data, separators=(",", ":")).encode()


BOOKS = ("draftkings", "fanduel", "betmgm", "caesars", "pointsbetus", "betrivers", "unibet_us", "bovada")
PROP_STATS = {"player_points": ["PTS"], "player_rebounds": ["REB"], "player_assists": ["AST"],
              "player_threes": ["FG3M"], "player_points_rebounds_assists": ["PTS", "REB", "AST"]}


def night_of_event_odds(logs: pd.DataFrame, day: str, books=BOOKS, tipoff_utc: str = "00:30:00Z") -> list[dict]:
    """A night's event odds in the odds API v4 layout, sized like a real one: every game of
    ``day`` an event, every player who played a line in the five player markets at every
    book (the line is his result rounded to a half point: the values are not the point)."""
    import hashlib
    from datetime import date, timedelta

    from shared.teams import TEAMS

    night = logs[logs["GAME_DATE"] == day]
    tip = f"{date.fromisoformat(day) + timedelta(days=1)}T{tipoff_utc}"
    events = []
    for game_id, game in night.groupby("GAME_ID", sort=True):
        home = game.loc[game["MATCHUP"].str.contains("vs."), "TEAM_ABBREVIATION"].iloc[0]
        away = game.loc[game["MATCHUP"].str.contains("@"), "TEAM_ABBREVIATION"].iloc[0]
        bookmakers = []
        for n, book in enumerate(books):
            markets = []
            for market, stats in PROP_STATS.items():
                outcomes = []
                for r in game.to_dict("records"):
                    point = sum(int(r[s]) for s in stats) + 0.5
                    outcomes += [{"name": "Over", "description": r["PLAYER_NAME"], "price": -110 - n, "point": point},
                                 {"name": "Under", "description": r["PLAYER_NAME"], "price": -110 + n,
                                  "point": point}]
                markets.append({"key": market, "last_update": f"{day}T18:0{n}:00Z", "outcomes": outcomes})
            bookmakers.append({"key": book, "title": book.title(), "last_update": f"{day}T18:0{n}:00Z",
                               "markets": markets})
        event_id = hashlib.md5(game_id.encode(), usedforsecurity=False).hexdigest()
        events.append({"id": event_id, "sport_key": "basketball_nba", "sport_title": "NBA", "commence_time": tip,
                       "home_team": TEAMS[home], "away_team": TEAMS[away], "bookmakers": bookmakers})
    return events
