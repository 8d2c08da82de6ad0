"""What the schedule says about a date, for every layer that asks."""
from __future__ import annotations

from datetime import date

from shared import tables
from shared.ports import Warehouse


def has_games(warehouse: Warehouse, day: date) -> bool:
    return not warehouse.read(tables.SCHEDULE.fqn, day, day, columns=["game_id"]).empty
