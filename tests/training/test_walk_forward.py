"""Walk-forward evaluation on the real sample: each period is predicted by the champion of
its moment (retrained behind the gate in a scratch registry), the frozen figure is today's
champion on the same rows, and the real registry is left as it was."""
from __future__ import annotations

from datetime import date

import numpy as np

from modeling import dataset
from modeling.evaluation import MIN_GAMES
from modeling.walkforward import walk_forward
from shared.adapters.directory_store import DirectoryStore
from shared.models.registry import Registry
from worker.model_provider import ModelProvider


def test_each_period_is_retrained_then_predicted_and_the_real_registry_is_untouched(feature_warehouse, tmp_path):
    store = DirectoryStore(tmp_path / "objects")
    start, end = date(2024, 2, 5), date(2024, 2, 18)
    steps = []
    result = walk_forward(feature_warehouse, store, start, end, "points", every=7,
                          progress=lambda done, total: steps.append((done, total)))
    assert [p["start"] for p in result.periods] == ["2024-02-05", "2024-02-12"]
    # said before the first retrain and as each of the four (two periods x two systems) ends
    assert steps == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert result.retrains == {"xgboost": 2, "catboost": 2} and all(t > 0 for t in result.train_seconds.values())
    rows = dataset.load(feature_warehouse, "points", start, end)
    rows = rows[rows["games_played_season"] >= MIN_GAMES]
    assert result.rows == len(rows) == sum(p["rows"] for p in result.periods)
    bundled = ModelProvider(Registry(store)).get("points_xgboost", "xgboost").model
    frozen = float(np.mean(np.abs(bundled.predict(rows) - rows["actual"].to_numpy())))
    assert abs(result.frozen["xgboost"] - frozen) < 1e-9, "frozen is today's champion on the same rows"
    if result.promoted["xgboost"] == 0:
        assert abs(result.walked["xgboost"] - frozen) < 1e-9, "nothing promoted: the champion predicted every week"
    assert store.list("models/") == [], "the retrains went to a scratch registry"
