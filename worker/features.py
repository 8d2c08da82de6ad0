"""Per-instance cache of the feature store for a date, and of recent player history
(features of earlier dates joined to what happened) for the similarity system."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, timedelta

import pandas as pd

from shared.ports import Warehouse

HISTORY_DAYS = 400


class FeatureCache:
    def __init__(self, warehouse: Warehouse, max_dates: int = 4):
        self.warehouse = warehouse
        self.max_dates = max_dates
        self._features: OrderedDict[date, pd.DataFrame] = OrderedDict()
        self._history: OrderedDict[date, dict[int, pd.DataFrame]] = OrderedDict()
        self._lock = threading.Lock()

    def _remember(self, cache: OrderedDict, day: date, load):
        with self._lock:
            if day in cache:
                cache.move_to_end(day)
                return cache[day]
        value = load()
        with self._lock:
            cache[day] = value
            while len(cache) > self.max_dates:
                cache.popitem(last=False)
        return value

    def features(self, day: date) -> pd.DataFrame:
        """The date's feature rows indexed by player_id."""
        return self._remember(self._features, day, lambda: self.warehouse.read(
            "precompute.ml_feature_store", day, day).set_index("player_id"))

    def row(self, day: date, player_id: int) -> pd.Series | None:
        frame = self.features(day)
        return frame.loc[player_id] if player_id in frame.index else None

    def history(self, day: date, player_id: int) -> pd.DataFrame:
        """The player's earlier feature rows (up to HISTORY_DAYS before D) with actual points."""
        by_player = self._remember(self._history, day, lambda: self._load_history(day))
        return by_player.get(player_id, _EMPTY)

    def _load_history(self, day: date) -> dict[int, pd.DataFrame]:
        start, end = day - timedelta(days=HISTORY_DAYS), day - timedelta(days=1)
        feats = self.warehouse.read("precompute.ml_feature_store", start, end)
        actual = self.warehouse.read("analytics.player_game_summary", start, end,
                                     columns=["game_date", "player_id", "pts", "played"])
        actual = actual[actual["played"].astype(bool)]
        rows = feats.merge(actual[["game_date", "player_id", "pts"]], on=["game_date", "player_id"], how="inner")
        return {int(pid): g.reset_index(drop=True) for pid, g in rows.groupby("player_id")}


_EMPTY = pd.DataFrame()
