"""Build the public feeds' layouts from the real season file, as a live night would see them:
the league schedule feed, the official injury report's table, the odds API's event odds."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pandas as pd

from shared.teams import TEAMS

EASTERN_OFFSET = timedelta(hours=5)   # January: EST, UTC-5


def season_frame(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def games_on(season: pd.DataFrame, day: date) -> list[dict]:
    """One dict per game of the day: id, home, away (from each team's MATCHUP)."""
    rows = season[season["GAME_DATE"] == day.isoformat()]
    games = []
    for game_id, g in rows.groupby("GAME_ID", sort=True):
        home = g.loc[g["MATCHUP"].str.contains("vs."), "TEAM_ABBREVIATION"].iloc[0]
        away = g.loc[g["MATCHUP"].str.contains("@"), "TEAM_ABBREVIATION"].iloc[0]
        games.append({"game_id": game_id, "home": home, "away": away})
    return games


def schedule_feed(season: pd.DataFrame, days: list[date], tipoff: str = "19:30", **overrides) -> dict:
    """`leagueSchedule.gameDates[].games[]` as the league publishes it (ET date and time
    written with a misleading Z)."""
    dates = []
    for day in days:
        games = []
        for n, g in enumerate(games_on(season, day)):
            team = lambda code: {"teamId": _team_id(season, code), "teamName": TEAMS[code].split()[-1],  # noqa: E731
                                 "teamCity": " ".join(TEAMS[code].split()[:-1]), "teamTricode": code, "wins": 0,
                                 "losses": 0, "score": 0, "seed": None}
            games.append({"gameId": g["game_id"], "gameCode": f"{day:%Y%m%d}/{g['away']}{g['home']}",
                          "gameStatus": 1, "gameStatusText": f"{tipoff} pm ET", "gameSequence": n + 1,
                          "gameDateEst": f"{day}T00:00:00Z", "gameTimeEst": f"1900-01-01T{tipoff}:00Z",
                          "gameDateTimeEst": f"{day}T{tipoff}:00Z", "weekNumber": 13, "weekName": "Week 13",
                          "gameLabel": "", "gameSubLabel": "", "arenaName": f"{TEAMS[g['home']]} Arena",
                          "isNeutral": False, "postponedStatus": "N", "homeTeam": team(g["home"]),
                          "awayTeam": team(g["away"]), **overrides.get(g["game_id"], {})})
        dates.append({"gameDate": f"{day:%m/%d/%Y} 00:00:00", "games": games})
    return {"meta": {"version": 1, "request": "scheduleLeagueV2.json", "time": "2024-01-15T10:00:00Z"},
            "leagueSchedule": {"seasonYear": "2023-24", "leagueId": "00", "gameDates": dates}}


def _team_id(season: pd.DataFrame, code: str) -> int:
    return int(season.loc[season["TEAM_ABBREVIATION"] == code, "TEAM_ID"].iloc[0])


def write_json(path, data) -> None:
    path.write_text(json.dumps(data, indent=1))


def injury_report(season: pd.DataFrame, day: date, out: dict[str, str], questionable: list[str] = ()) -> str:
    """The official report's table as extracted from its PDF: game date, time, matchup and team
    only on the first row of each; names "Last, First" without accents."""
    import unicodedata

    def plain(text: str) -> str:   # the PDF's names carry no accents
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    rows = season[season["GAME_DATE"] == day.isoformat()]
    lines = ["Game Date,Game Time,Matchup,Team,Player Name,Current Status,Reason"]
    listed = [(n, "Out", reason) for n, reason in out.items()] + [(n, "Questionable", "Injury/Illness - Left Knee; "
                                                                                      "Soreness") for n in questionable]
    by_game: dict[str, list] = {}
    for name, status, reason in listed:
        r = rows[rows["PLAYER_NAME"] == name].iloc[0]
        by_game.setdefault(r["GAME_ID"], []).append((r["TEAM_ABBREVIATION"], name, status, reason))
    for game in games_on(season, day):
        entries = sorted(by_game.get(game["game_id"], []))
        first_game_row, last_team = True, None
        for team, name, status, reason in entries:
            first, *rest = name.split(" ")
            last = " ".join(rest)
            report_name = f"{plain(last)}, {plain(first)}"
            cells = [f"{day:%m/%d/%Y}" if first_game_row else "", "07:30 (ET)" if first_game_row else "",
                     f"{game['away']}@{game['home']}" if first_game_row else "",
                     TEAMS[team] if team != last_team else "", report_name, status, reason]
            lines.append(",".join(f'"{c}"' for c in cells))
            first_game_row, last_team = False, team
    return "\n".join(lines) + "\n"


def event_odds(season: pd.DataFrame, day: date, lines: dict[str, float], book: str = "draftkings",
               over: float = -115, under: float = -105, updated: str | None = None) -> list[dict]:
    """The odds API's event odds for each game of the day with a priced player: points lines,
    American prices; commence_time in UTC (7:30 pm ET is the next day, 00:30Z)."""
    before = season[(season["GAME_DATE"] <= day.isoformat()) & season["PLAYER_NAME"].isin(lines)]
    team_of = before.sort_values("GAME_DATE").groupby("PLAYER_NAME")["TEAM_ABBREVIATION"].last()  # as books know it
    updated = updated or f"{day}T18:00:00Z"
    events = []
    for game in games_on(season, day):
        players = sorted(n for n, t in team_of.items() if t in (game["home"], game["away"]))
        if not players:
            continue
        outcomes = []
        for name in players:
            outcomes += [{"name": "Over", "description": name, "price": over, "point": lines[name]},
                         {"name": "Under", "description": name, "price": under, "point": lines[name]}]
        tip = datetime.combine(day, datetime.strptime("19:30", "%H:%M").time()) + EASTERN_OFFSET
        events.append({"id": f"evt{game['game_id']}", "sport_key": "basketball_nba", "sport_title": "NBA",
                       "commence_time": tip.strftime("%Y-%m-%dT%H:%M:%SZ"), "home_team": TEAMS[game["home"]],
                       "away_team": TEAMS[game["away"]],
                       "bookmakers": [{"key": book, "title": book.title(), "last_update": updated,
                                       "markets": [{"key": "player_points", "last_update": updated,
                                                    "outcomes": outcomes}]}]})
    return events
