"""Accuracy as the coordinator's /metrics reports it: each system's rolling 14-day MAE
from the graded daily summaries, read at scrape time and cached per app."""
from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta

from shared import tables
from shared.metrics import gauge

log = logging.getLogger(__name__)
WINDOW_DAYS, CACHE_S = 14, 300


def rolling_mae(warehouse, today: date | None = None) -> list[tuple[list[str], float]]:
    today = today or date.today()
    frame = warehouse.query(
        f"SELECT system, prop, SUM(mae * n) / SUM(n) AS mae FROM {tables.DAILY_ACCURACY.fqn} "
        "WHERE game_date >= @start GROUP BY system, prop", {"start": today - timedelta(days=WINDOW_DAYS)})
    return [([r.system, r.prop], float(r.mae)) for r in frame.itertuples()]


def latest_psi(warehouse) -> list[tuple[list[str], float]]:
    frame = warehouse.query(f"SELECT feature, psi FROM {tables.FEATURE_DRIFT.fqn} WHERE game_date = "
                            f"(SELECT MAX(game_date) FROM {tables.FEATURE_DRIFT.fqn})")
    return [([r.feature], float(r.psi)) for r in frame.itertuples()]


class AccuracyCollector:
    def __init__(self, warehouse, today=date.today):
        self.warehouse, self.today = warehouse, today
        self._samples: tuple[list, list] | None = None
        self._at: float = -CACHE_S
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            if time.monotonic() - self._at >= CACHE_S:
                try:
                    self._samples = (rolling_mae(self.warehouse, self.today()), latest_psi(self.warehouse))
                    self._at = time.monotonic()
                except Exception:   # a scrape must not fail because the warehouse is slow; keep the last value
                    log.warning("monitoring figures unavailable for /metrics", exc_info=True)
            mae, drift = self._samples or ([], [])
        yield gauge("pipeline_system_mae_14d", "MAE over the last 14 graded days", ["system", "prop"], mae)
        yield gauge("pipeline_feature_psi", "PSI of each feature on the latest monitored date", ["feature"], drift)
