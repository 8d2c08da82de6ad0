"""What the schedule says about a date, for every layer that asks."""
from __future__ import annotations

from datetime import date

import pandas as pd

from shared import tables
from shared.ports import Warehouse


def playable(schedule: pd.DataFrame) -> pd.DataFrame:
    """The games that will be (or were) played: everything but the postponed."""
    return schedule[schedule["status"].fillna("final") != "postponed"] if "status" in schedule else schedule


def has_games(warehouse: Warehouse, day: date) -> bool:
    return not playable(warehouse.read(tables.SCHEDULE.fqn, day, day, columns=["game_id", "status"])).empty
