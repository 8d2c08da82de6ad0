from __future__ import annotations

import json
import pickle
import threading

import numpy as np
import pytest

from modeling import dataset
from modeling.train import train
from shared import tables
from shared.adapters.directory_store import DirectoryStore
from shared.features import FEATURE_VERSION, NAMES, TONIGHT_NAMES, VECTORS
from shared.models import BUNDLED, native
from shared.models.registry import Registry
from tests.training.conftest import SAMPLE_WINDOWS


@pytest.mark.parametrize("system", ["xgboost", "catboost"])
def test_training_registers_a_native_model_that_beats_the_naive_baselines(feature_warehouse, tmp_path, system):
    store = DirectoryStore(tmp_path / "objects")
    # nothing served to compare with (no champion, no bundled copy): the first version is champion
    result = train(feature_warehouse, store, system, "points", SAMPLE_WINDOWS, fallback_dir=tmp_path / "no-bundle")
    assert result.promoted and result.version == 1
    m = result.metrics
    assert m["valid"]["mae"] < m["baselines"]["ewma"]["mae"] and m["valid"]["mae"] < m["baselines"]["last10"]["mae"]
    assert m["valid"]["mae"] > 4.0, "far below the naive baselines means the features leak the game"
    assert 0.75 <= m["valid"]["interval_coverage"] <= 0.85
    reg = Registry(store)
    name = f"points_{system}"
    pointer = reg.pointer(name)
    data = reg.read_model(name, 1, system)
    assert pointer.version == 1 and pointer.sha256 == native.sha256(data)
    schema = reg.read_json(name, 1, "schema.json")
    assert schema["features"] == list(NAMES) and schema["feature_version"] == FEATURE_VERSION
    loaded = native.load(system, data, schema["features"])
    stored = feature_warehouse.read(tables.ML_FEATURE_STORE.fqn).head(5)
    unknown = stored.assign(**dict.fromkeys(TONIGHT_NAMES, np.nan))   # a batch without a report
    assert loaded.predict(unknown).shape == (5,)


def test_a_model_that_does_not_beat_the_champion_leaves_latest_unchanged(feature_warehouse, tmp_path):
    """... and leaves the bundled fallback alone: `train --bundle` copies only a model that
    became champion."""
    store, bundle = DirectoryStore(tmp_path / "objects"), tmp_path / "bundled"
    train(feature_warehouse, store, "xgboost", "points", SAMPLE_WINDOWS, bundle_dir=bundle, fallback_dir=bundle)
    reg = Registry(store)
    before = store.read("models/points_xgboost/latest.json")
    again = train(feature_warehouse, store, "xgboost", "points", SAMPLE_WINDOWS,   # identical, so not better
                  bundle_dir=bundle, fallback_dir=bundle)
    assert not again.promoted and again.version == 2 and again.bundled_to is None
    assert json.loads((bundle / "points_xgboost" / "schema.json").read_text())["version"] == 1
    after = store.read("models/points_xgboost/latest.json")
    assert (after.data, after.generation) == (before.data, before.generation)
    log = reg.history("points_xgboost")
    assert [e["decision"] for e in log] == ["promoted", "rejected"]
    assert log[1]["valid_mae"] == pytest.approx(log[1]["champion_mae"])
    forced = train(feature_warehouse, store, "xgboost", "points", SAMPLE_WINDOWS, force=True, bundle_dir=bundle,
                   fallback_dir=bundle)
    assert forced.promoted and reg.pointer("points_xgboost").version == 3
    assert json.loads((bundle / "points_xgboost" / "schema.json").read_text())["version"] == 3


def test_rebounds_go_through_the_same_path(feature_warehouse, tmp_path):
    result = train(feature_warehouse, DirectoryStore(tmp_path / "objects"), "xgboost", "rebounds", SAMPLE_WINDOWS,
                   fallback_dir=tmp_path / "no-bundle")
    assert result.name == "rebounds_xgboost"
    assert result.metrics["valid"]["mae"] < result.metrics["baselines"]["last10"]["mae"]


def test_without_a_champion_the_gate_compares_with_the_bundled_model_the_workers_serve(feature_warehouse,
                                                                                        tmp_path):
    """Three months of one season do not beat the bundled model (seven seasons): the new
    version is registered, the bundled model stays served, and the log says against what."""
    store = DirectoryStore(tmp_path / "objects")
    result = train(feature_warehouse, store, "catboost", "points", SAMPLE_WINDOWS)
    folder = BUNDLED / "points_catboost"
    features = json.loads((folder / "schema.json").read_text())["features"]
    bundled = native.load("catboost", (folder / "model.cbm").read_bytes(), features)
    valid = dataset.load(feature_warehouse, "points", SAMPLE_WINDOWS.valid_start, SAMPLE_WINDOWS.valid_end)
    bundled_mae = float(np.mean(np.abs(bundled.predict(valid) - valid["actual"].to_numpy())))
    assert result.champion_mae == pytest.approx(bundled_mae)        # measured on the same validation rows
    assert result.metrics["valid"]["mae"] > bundled_mae             # the sample's model is the worse one
    assert not result.promoted and not result.beats_champion
    assert "does not beat the bundled model" in result.reason
    reg = Registry(store)
    assert reg.pointer("points_catboost") is None and reg.versions("points_catboost") == [1]
    entry = reg.history("points_catboost")[-1]
    assert entry["decision"] == "rejected" and entry["champion_mae"] == pytest.approx(bundled_mae)
    assert entry["compared_with"].startswith("the bundled model")


def test_concurrent_version_claims_never_collide(tmp_path):
    reg = Registry(DirectoryStore(tmp_path / "objects"))
    got, lock = [], threading.Lock()

    def claim():
        v = reg.claim_version("points_xgboost")
        with lock:
            got.append(v)

    threads = [threading.Thread(target=claim) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 13))


@pytest.mark.parametrize("kind", ["xgboost", "catboost"])
def test_pickles_and_garbage_are_refused_before_any_parser_sees_them(kind):
    for data in (pickle.dumps({"evil": True}), b"garbage", b""):
        with pytest.raises(native.InvalidModel):
            native.load(kind, data, list(NAMES))


def test_bundled_fallback_models_match_the_feature_store():
    for name, kind in (("points_xgboost", "xgboost"), ("points_catboost", "catboost")):
        folder = BUNDLED / name
        schema = json.loads((folder / "schema.json").read_text())
        data = (folder / f"model.{native.FORMATS[kind]}").read_bytes()
        assert schema["features"] == list(NAMES) and schema["feature_version"] == FEATURE_VERSION
        assert schema["sha256"] == native.sha256(data)
        native.load(kind, data, schema["features"])


def test_every_bundled_model_reads_a_vector_the_workers_serve():
    """A prop not yet retrained keeps its v3 models (the stored columns only) beside v4 ones."""
    from worker.model_provider import load_bundled

    for folder in sorted(p for p in BUNDLED.iterdir() if (p / "schema.json").exists()):
        schema = json.loads((folder / "schema.json").read_text())
        assert schema["features"] == list(VECTORS[schema["feature_version"]]), folder.name
        load_bundled(BUNDLED, folder.name, schema["system"])
