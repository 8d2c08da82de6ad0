"""Per-instance cache of the feature store for a date, and of recent player history
(features of earlier dates joined to what happened) for the similarity system."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from shared import tables
from shared.catalogue import PROCESSORS, RUN_DONE
from shared.ports import Warehouse
from shared.props import BOX_SCORE_COLUMNS, PROPS

HISTORY_DAYS = 400
FEATURE_STORE = next(p.name for p in PROCESSORS if p.table == tables.ML_FEATURE_STORE)


class FeatureCache:
    def __init__(self, warehouse: Warehouse, max_dates: int = 4):
        self.warehouse = warehouse
        self.max_dates = max_dates
        self._features: OrderedDict[date, pd.DataFrame] = OrderedDict()
        self._history: OrderedDict[tuple[date, tuple[str, ...]], HistoryWindow] = OrderedDict()
        self._lock = threading.Lock()

    def _remember(self, cache: OrderedDict, key, load):
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        value = load()
        with self._lock:
            cache[key] = value
            while len(cache) > self.max_dates:
                cache.popitem(last=False)
        return value

    def features(self, day: date) -> dict[int, dict]:
        """The date's feature rows: player_id -> {column: value}."""
        return self._remember(self._features, day, lambda: self.warehouse.read(
            tables.ML_FEATURE_STORE.fqn, day, day).set_index("player_id").to_dict("index"))

    def row(self, day: date, player_id: int) -> dict | None:
        return self.features(day).get(player_id)

    def history(self, day: date, player_id: int, columns: tuple[str, ...]) -> dict | None:
        """The player's earlier feature rows (up to HISTORY_DAYS before D) with what he did
        in each prop, as column -> array, for the columns the caller reads."""
        return self.history_window(day, columns).by_player.get(player_id)

    def history_window(self, day: date, columns: tuple[str, ...]) -> HistoryWindow:
        return self._remember(self._history, (day, tuple(columns)), lambda: self._load_history(day, columns))

    def _load_history(self, day: date, columns: tuple[str, ...]) -> HistoryWindow:
        start, end = day - timedelta(days=HISTORY_DAYS), day - timedelta(days=1)
        feats = self.warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end)
        box = self.warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end,
                                  columns=["game_date", "player_id", "played", *BOX_SCORE_COLUMNS])
        box = box[box["played"].astype(bool)]
        actual = box[["game_date", "player_id"]].assign(**{p.name: p.actual(box) for p in PROPS})
        rows = feats.merge(actual, on=["game_date", "player_id"], how="inner")
        runs = self.warehouse.read(tables.PROCESSOR_RUNS.fqn, start, end, columns=["processor", "game_date", "status"])
        built = runs[(runs["processor"] == FEATURE_STORE) & runs["status"].isin(RUN_DONE)]
        played = set(pd.to_datetime(box["game_date"]).dt.date)
        # a date the feature store was built for may hold no rows (the season's first nights: nobody is on
        # a roster yet); only a date never built is missing
        missing = tuple(sorted(played - set(pd.to_datetime(feats["game_date"]).dt.date)
                               - set(pd.to_datetime(built["game_date"]).dt.date)))
        return HistoryWindow({int(pid): {c: g[c].to_numpy(dtype=float) for c in columns}
                              for pid, g in rows.groupby("player_id")}, len(played), missing)


@dataclass(frozen=True)
class HistoryWindow:
    """The HISTORY_DAYS before a date as the similarity system sees them."""
    by_player: dict[int, dict]
    game_dates: int                # dates with box scores in the window
    missing: tuple[date, ...]      # of those, the dates the feature store has no rows for
