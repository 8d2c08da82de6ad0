"""Training and validation windows, and the defaults derived from the data present.

The derived split follows the recipe the bundled models were trained with: with three
seasons or more, the last season stays unseen (it is what `evaluate` measures), the one
before it validates and every earlier season trains; two seasons train on the first and
validate on the second; one season trains on its first 60 % of game dates and validates on
the rest."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from shared import tables
from shared.ports import Warehouse

TRAIN_SHARE = 0.6        # of one season's game dates, when the data holds a single season


@dataclass(frozen=True)
class Windows:
    train_start: date = date(2015, 10, 1)
    train_end: date = date(2022, 6, 30)
    valid_start: date = date(2022, 10, 1)
    valid_end: date = date(2023, 6, 30)

    def check(self) -> None:
        if not (self.train_start <= self.train_end < self.valid_start <= self.valid_end):
            raise ValueError(f"windows must be chronological: train {self.train_start}..{self.train_end}, "
                             f"valid {self.valid_start}..{self.valid_end}")

    def describe(self) -> str:
        return f"train {self.train_start}..{self.train_end}, validate {self.valid_start}..{self.valid_end}"


class EmptyWindow(ValueError):
    """A window with no feature-store rows that have results; the message names both windows
    and the dates the data covers."""


def dates_with_results(warehouse: Warehouse) -> pd.DataFrame:
    """One row per game date that has feature-store rows and played box scores: game_date, season."""
    features = warehouse.read(tables.ML_FEATURE_STORE.fqn, *tables.EVERY_DATE, columns=["game_date"])
    box = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, *tables.EVERY_DATE,
                         columns=["game_date", "season", "played"])
    played = box[box["played"].astype(bool)][["game_date", "season"]].drop_duplicates("game_date")
    found = played[played["game_date"].isin(set(features["game_date"]))]
    return found.sort_values("game_date").reset_index(drop=True)


def covered(warehouse: Warehouse) -> str:
    """The range of dates training can use, said in words."""
    found = dates_with_results(warehouse)
    if found.empty:
        return ("the feature store has no rows with results yet: `bin/pipeline import` box scores, then "
                "`bin/pipeline backfill --start D1 --end D2`")
    return (f"the feature store has rows with results on {len(found)} game dates, "
            f"{found['game_date'].iloc[0].date()}..{found['game_date'].iloc[-1].date()}")


def derived(warehouse: Warehouse) -> Windows:
    found = dates_with_results(warehouse)
    if len(found) < 2:
        raise EmptyWindow(f"too little data to split into training and validation: {covered(warehouse)}")
    return split(found)


def split(found: pd.DataFrame) -> Windows:
    """The split of game dates (``game_date``, ``season``; two dates or more) the module doc describes."""
    found = found.sort_values("game_date")
    seasons = sorted(found["season"].unique())
    if len(seasons) >= 3:
        train, valid = found[found["season"].isin(seasons[:-2])], found[found["season"] == seasons[-2]]
    elif len(seasons) == 2:
        train, valid = found[found["season"] == seasons[0]], found[found["season"] == seasons[1]]
    else:
        cut = max(1, min(len(found) - 1, round(len(found) * TRAIN_SHARE)))
        train, valid = found.iloc[:cut], found.iloc[cut:]
    return Windows(*_span(train), *_span(valid))


def _span(frame: pd.DataFrame) -> tuple[date, date]:
    return frame["game_date"].iloc[0].date(), frame["game_date"].iloc[-1].date()


def last_date_with_results(warehouse: Warehouse) -> date:
    found = dates_with_results(warehouse)
    if found.empty:
        raise EmptyWindow(covered(warehouse))
    return found["game_date"].iloc[-1].date()
