"""`calibrate` refits a served model's distribution on its own validation window without
touching its trees: a model fitted before the 19 quantiles (three only, serving the split
normal) gets them, per expected-minutes bucket, and they fit its window at least as well;
the prop's blend gets its own."""
from __future__ import annotations

import json
import shutil

import pytest

from modeling.calibrate import calibrate
from shared.models import BUNDLED
from tests.support.cli import run

WINDOW = {"valid_start": "2024-02-01", "valid_end": "2024-03-15"}


def _old_bundle(root):
    """The bundled threes models with only q10/q50/q90 and a validation window inside the sample."""
    for name in ("threes_xgboost", "threes_catboost", "threes_ensemble"):
        shutil.copytree(BUNDLED / name, root / name)
    for name in ("threes_xgboost", "threes_catboost"):
        schema = json.loads((root / name / "schema.json").read_text())
        schema["interval"] = {"method": "scaled_residual_quantiles", "q10": -0.7, "q50": 0.0, "q90": 1.3}
        (root / name / "schema.json").write_text(json.dumps(schema))
        metrics = json.loads((root / name / "metrics.json").read_text())
        metrics["windows"].update(WINDOW)
        (root / name / "metrics.json").write_text(json.dumps(metrics))
    weights = json.loads((root / "threes_ensemble" / "weights.json").read_text())
    weights.pop("interval", None)
    weights["windows"].update(WINDOW)
    (root / "threes_ensemble" / "weights.json").write_text(json.dumps(weights))


def test_calibrate_refits_old_models_without_touching_their_trees(feature_warehouse, tmp_path):
    _old_bundle(tmp_path)
    trees = (tmp_path / "threes_xgboost" / "model.ubj").read_bytes()
    done = {c.name: c for c in calibrate(feature_warehouse, None, ["threes"], bundle_dir=tmp_path)}
    assert set(done) == {"threes_xgboost", "threes_catboost", "threes_ensemble"}
    for name in ("threes_xgboost", "threes_catboost"):
        interval = json.loads((tmp_path / name / "schema.json").read_text())["interval"]
        # threes are bucketed by the predicted level (one bucket above each edge), not by minutes
        assert len(interval["quantiles"]) == 19 and interval["by"] == "predicted", name
        assert len(interval["buckets"]) == len(interval["edges"]) + 1 > 4, name
        assert done[name].window == "2024-02-01..2024-03-15" and done[name].rows > 1000
        assert done[name].pinball_after < done[name].pinball_before, name
        assert done[name].coverage_after == pytest.approx(0.8, abs=0.06)
    assert (tmp_path / "threes_xgboost" / "model.ubj").read_bytes() == trees
    blend = json.loads((tmp_path / "threes_ensemble" / "weights.json").read_text())
    assert len(blend["interval"]["quantiles"]) == 19 and blend["weights"]


def test_an_unknown_prop_is_refused_by_name(tmp_path, elsewhere):
    out = run("calibrate", "--prop", "steals", home=tmp_path / "home", cwd=elsewhere)
    assert out.returncode == 2 and "--prop 'steals': one of points" in " ".join(out.stderr.split())
