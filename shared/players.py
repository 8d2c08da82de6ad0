"""Who a name means: the player directory built from the box scores, and the name folding
that lets the injury report ("Jackson Jr., Jaren", no accents) and the sportsbooks
("Luka Doncic") find the stats feed's "Jaren Jackson Jr." and "Luka Dončić"."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from shared import tables
from shared.ports import Warehouse

SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
DIRECTORY_YEARS = 3   # players seen within this many years of the date asked about


def from_report(name: str) -> str:
    """"Last, First" (the injury report's order; a suffix stays with the last name) -> "First Last"."""
    if "," not in name:
        return " ".join(name.split())
    last, first = (part.strip() for part in name.split(",", 1))
    return f"{first} {last}".strip()


def fold(name: str) -> str:
    """Lower case, accents and punctuation dropped, one space between words."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’`.]", "", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _without_suffix(key: str) -> str:
    return " ".join(w for w in key.split() if w not in SUFFIXES)


@dataclass(frozen=True)
class Player:
    player_id: int
    player_name: str
    team_abbr: str


class Directory:
    """Every player seen in the box scores, with the team of his latest game."""

    def __init__(self, players: list[Player]):
        self.players = players
        self._exact: dict[str, list[Player]] = defaultdict(list)
        self._loose: dict[str, list[Player]] = defaultdict(list)
        for p in players:
            self._exact[fold(p.player_name)].append(p)
            self._loose[_without_suffix(fold(p.player_name))].append(p)

    @classmethod
    def from_warehouse(cls, warehouse: Warehouse, before: date) -> Directory:
        rows = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, before - timedelta(days=366 * DIRECTORY_YEARS), before,
                              columns=["player_id", "player_name", "team_abbr", "game_date"])
        latest = rows.sort_values(["player_id", "game_date"]).drop_duplicates("player_id", keep="last")
        return cls([Player(int(r.player_id), str(r.player_name), str(r.team_abbr)) for r in latest.itertuples()])

    def resolve(self, name: str, team: str | None = None) -> Player | None:
        """The one player the name (and team, when given) can mean; None when none or several."""
        key = fold(from_report(name))
        for found in (self._exact.get(key, []), self._loose.get(_without_suffix(key), [])):
            on_team = [p for p in found if p.team_abbr == team]
            # a name unique in the league still matches when the directory has his previous team (a trade)
            found = on_team or found
            if len(found) == 1:
                return found[0]
        return None

    def resolve_frame(self, frame: pd.DataFrame, name: str = "player_name", team: str = "team_abbr") -> pd.Series:
        """player_id (nullable) for every row; a row whose name is unknown or ambiguous gets NA."""
        ids = [getattr(self.resolve(n, t), "player_id", None) for n, t in zip(frame[name], frame[team], strict=True)]
        return pd.Series(ids, index=frame.index, dtype="Int64")
