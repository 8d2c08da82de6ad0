"""Whether the box scores are recent enough to compute a night from: the teams playing on D
each have a previous game day (their last scheduled game before D); the stored box scores
must reach the latest of those days. A team with no earlier game in the data (a season
opener, a warehouse that starts tonight) asks for nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from shared.schedule import playable


class StaleBoxScores(Exception):
    """The box scores stop before a day the night's features need."""

    def __init__(self, day: date, last_stored: date | None, needed: date):
        self.day, self.last_stored, self.needed = day, last_stored, needed
        stored = f"box scores stop at {last_stored}" if last_stored else "no box scores are stored"
        super().__init__(f"{stored}, but {day} needs them through {needed} (the last game day of the teams "
                         f"playing)")


@dataclass(frozen=True)
class BoxScoreCoverage:
    day: date
    last_stored: date | None   # the last game date in player_game_summary
    needed: date | None        # the teams' latest previous game day; None: nothing earlier is known

    @property
    def stale(self) -> bool:
        return self.needed is not None and (self.last_stored is None or self.last_stored < self.needed)

    def refusal(self) -> StaleBoxScores:
        if self.needed is None:
            raise ValueError(f"nothing before {self.day} needs box scores: there is nothing to refuse")
        return StaleBoxScores(self.day, self.last_stored, self.needed)


def coverage(schedule: pd.DataFrame, players: pd.DataFrame, day: date) -> BoxScoreCoverage:
    """From the schedule (games up to D, postponed ones ignored) and the player box scores read
    for the night."""
    games = playable(schedule)
    when = pd.to_datetime(games["game_date"]).dt.date
    tonight = games[when == day]
    teams = set(tonight["home_team_abbr"]) | set(tonight["away_team_abbr"])
    earlier = games[(when < day) & (games["home_team_abbr"].isin(teams) | games["away_team_abbr"].isin(teams))]
    needed = pd.to_datetime(earlier["game_date"]).max().date() if len(earlier) else None
    stored = pd.to_datetime(players["game_date"]).max().date() if len(players) else None
    return BoxScoreCoverage(day, stored, needed)
