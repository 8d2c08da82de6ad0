"""The compiled trees of every bundled model give the library's predictions to the bit, on
the model's own split points and with missing values; a model whose compiled trees would
differ, or whose shape they do not cover, is left to the library."""
from __future__ import annotations

import numpy as np
import pytest
import xgboost as xgb

from shared.catalogue import ML_SYSTEMS, PROP_NAMES
from shared.models import BUNDLED, compiled
from worker.model_provider import load_bundled


@pytest.fixture(scope="module")
def bundled():
    return {(prop, kind): load_bundled(BUNDLED, f"{prop}_{kind}", kind).model for prop in PROP_NAMES
            for kind in ML_SYSTEMS}


@pytest.mark.parametrize("kind", ML_SYSTEMS)
def test_compiled_trees_predict_what_the_library_predicts(bundled, kind):
    for prop in PROP_NAMES:
        model = bundled[prop, kind]
        assert model.compile(), f"{prop}_{kind} did not compile"
        rows = compiled._probe(model.trees, len(model.features), np.random.default_rng(7), rows=64)
        library = np.asarray(model.impl.inplace_predict(rows) if kind == "xgboost" else model.impl.predict(rows))
        for n in (1, 3, compiled.SMALL):      # the sizes a worker call sends to the compiled trees
            got = model.predict({f: rows[:n, i] for i, f in enumerate(model.features)})
            assert np.array_equal(got, library[:n].astype(float)), prop


def test_trees_that_disagree_with_the_library_are_not_used(bundled, monkeypatch):
    model = bundled["points", "catboost"]
    real = compiled.ObliviousTrees.predict
    monkeypatch.setattr(compiled.ObliviousTrees, "predict", lambda self, x: real(self, x) + 0.01)
    assert not model.compile() and model.trees is None
    x = {f: np.array([1.0]) for f in model.features}
    assert model.predict(x)[0] == pytest.approx(float(model.impl.predict(np.ones((1, len(model.features))))[0]))


def test_a_model_with_a_link_the_trees_do_not_apply_is_left_to_the_library():
    rng = np.random.default_rng(1)
    x, y = rng.random((200, 4)), rng.poisson(3, 200)
    booster = xgb.train({"objective": "count:poisson", "max_depth": 3, "nthread": 1}, xgb.DMatrix(x, y), 5)
    assert compiled.compile_model("xgboost", booster, 4) is None


def test_the_worker_compiles_a_model_once_it_serves_small_calls_and_not_before(tmp_path):
    from shared.adapters.directory_store import DirectoryStore
    from shared.models import native
    from shared.models.registry import Registry
    from worker.model_provider import ModelProvider

    provider = ModelProvider(Registry(DirectoryStore(tmp_path)))
    model = provider.get("points_xgboost", "xgboost").model
    big = {f: np.ones(compiled.SMALL + 1) for f in model.features}
    one = {f: np.ones(1) for f in model.features}
    for _ in range(native.Model.COMPILE_AFTER):
        model.predict(big)                    # large calls never ask for it
    provider.compiled()
    assert model.trees is None
    for _ in range(native.Model.COMPILE_AFTER):
        model.predict(one)
    provider.compiled()
    assert model.trees is not None and model.predict(one)[0] == model.impl.inplace_predict(np.ones((1, len(
        model.features)), np.float32))[0]
