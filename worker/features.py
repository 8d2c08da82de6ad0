"""Per-instance cache of the feature store for a date, and of recent player history
(features of earlier dates joined to what happened) for the similarity system."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, timedelta

import pandas as pd

from shared import tables
from shared.ports import Warehouse
from shared.props import BOX_SCORE_COLUMNS, PROPS

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

    def features(self, day: date) -> dict[int, dict]:
        """The date's feature rows: player_id -> {column: value}."""
        return self._remember(self._features, day, lambda: self.warehouse.read(
            tables.ML_FEATURE_STORE.fqn, day, day).set_index("player_id").to_dict("index"))

    def row(self, day: date, player_id: int) -> dict | None:
        return self.features(day).get(player_id)

    def history(self, day: date, player_id: int) -> dict | None:
        """The player's earlier feature rows (up to HISTORY_DAYS before D) with what he did
        in each prop, as column -> array."""
        by_player = self._remember(self._history, day, lambda: self._load_history(day))
        return by_player.get(player_id)

    def _load_history(self, day: date) -> dict[int, dict]:
        from worker.systems.similarity import HISTORY_COLUMNS

        start, end = day - timedelta(days=HISTORY_DAYS), day - timedelta(days=1)
        feats = self.warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end)
        box = self.warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end,
                                  columns=["game_date", "player_id", "played", *BOX_SCORE_COLUMNS])
        box = box[box["played"].astype(bool)]
        actual = box[["game_date", "player_id"]].assign(**{p.name: p.actual(box) for p in PROPS})
        rows = feats.merge(actual, on=["game_date", "player_id"], how="inner")
        return {int(pid): {c: g[c].to_numpy(dtype=float) for c in HISTORY_COLUMNS}
                for pid, g in rows.groupby("player_id")}
