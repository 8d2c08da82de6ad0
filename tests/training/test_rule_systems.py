"""The rule systems earn their place: on the real 2023-24 sample each is at least as good as
the one-line EWMA baseline on exactly the same rows (players who played, with ten earlier
games that season), for every prop."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from modeling import dataset
from modeling.evaluation import MIN_GAMES
from shared.catalogue import PROP_BY_NAME, PROP_NAMES
from worker.features import FeatureCache
from worker.systems.base import Context, FeatureRows
from worker.systems.moving_average import MovingAverage
from worker.systems.similarity import Similarity

SEASON = (date(2023, 11, 1), date(2024, 4, 14))
MONTH = (date(2024, 1, 2), date(2024, 1, 31))    # similarity reads each date's history: a month keeps it quick


def graded(warehouse, prop, window):
    rows = dataset.load(warehouse, prop, *window)
    return rows[rows["games_played_season"] >= MIN_GAMES].reset_index(drop=True)


def mae(predicted, rows) -> float:
    return float(np.mean(np.abs(np.asarray(predicted) - rows["actual"].to_numpy())))


@pytest.mark.parametrize("prop", PROP_NAMES)
def test_moving_average_is_at_least_as_good_as_the_ewma(feature_warehouse, prop):
    rows = graded(feature_warehouse, prop, SEASON)
    got = MovingAverage().predict(rows, Context(day=SEASON[1], prop=prop)).values["predicted"]
    ewma = rows[PROP_BY_NAME[prop].baselines["ewma"]]
    assert len(rows) > 10_000 and mae(got, rows) <= mae(ewma, rows), (mae(got, rows), mae(ewma, rows))


def test_similarity_is_at_least_as_good_as_the_ewma(feature_warehouse):
    cache = FeatureCache(feature_warehouse, max_dates=2)
    for prop in ("points", "pra"):
        rows = graded(feature_warehouse, prop, MONTH)
        got = np.zeros(len(rows))
        sources = []
        for day, group in rows.groupby(rows["game_date"].dt.date):
            ctx = Context(day=day, prop=prop, features=cache, player_ids=group["player_id"].to_numpy())
            out = Similarity().predict(FeatureRows({c: group[c].to_numpy() for c in group.columns}), ctx)
            got[group.index] = out.values["predicted"]
            sources += list(out.model_source)
        ewma = rows[PROP_BY_NAME[prop].baselines["ewma"]]
        assert sources.count("rule") > 0.9 * len(rows), "the neighbours, not the fallback, were measured"
        assert mae(got, rows) <= mae(ewma, rows), (prop, mae(got, rows), mae(ewma, rows))
