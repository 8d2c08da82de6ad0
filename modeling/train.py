"""Train one model (system x prop) on a chronological split, register it, and move the
champion pointer only when it beats the current champion on the same validation rows."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from modeling import dataset
from modeling.drift import reference
from modeling.metrics import accuracy, coverage
from modeling.windows import EmptyWindow, Windows, covered
from shared import tables
from shared.catalogue import ML_SYSTEMS, PROP_BY_NAME
from shared.errors import BadArgument
from shared.features import FEATURE_VERSION, NAMES
from shared.models import BUNDLED, native
from shared.models.intervals import MINUTES_FEATURE, apply_interval, fit_interval
from shared.models.registry import Pointer, Registry
from shared.ports import ObjectStore, PreconditionFailed, Warehouse
from worker.model_provider import ModelUnavailable, load_bundled

log = logging.getLogger(__name__)

MAX_ROUNDS, EARLY_STOP = 3000, 100
# tree depth per prop, chosen by time-series cross-validation on 2019-20..2021-22 (bin/bench
# tuning on points); the other props keep 6 (depth 4 was worse on 2022-23 for assists, threes and PRA)
TREE_DEPTH, DEFAULT_DEPTH = {"points": 4}, 6


@dataclass
class TrainResult:
    name: str
    version: int
    promoted: bool
    reason: str
    metrics: dict
    champion_mae: float | None = None
    bundled_to: Path | None = None
    sha256: str = ""
    beats_champion: bool = False
    extra: dict = field(default_factory=dict)


Progress = Callable[[int, int], None]


def model_name(system: str, prop: str) -> str:
    return f"{prop}_{system}"


def _fit_xgboost(tr, va, progress: Progress | None, depth: int):
    import xgboost as xgb

    class Report(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            if progress:
                progress(epoch + 1, MAX_ROUNDS)
            return False

    params = {"objective": "reg:absoluteerror", "eta": 0.03, "max_depth": depth, "min_child_weight": 50,
              "subsample": 0.8, "colsample_bytree": 0.8, "lambda": 5.0, "nthread": 2, "seed": 7,
              "eval_metric": "mae", "tree_method": "hist"}
    dtr = xgb.DMatrix(dataset.matrix(tr), label=tr["actual"], feature_names=list(NAMES))
    dva = xgb.DMatrix(dataset.matrix(va), label=va["actual"], feature_names=list(NAMES))
    booster = xgb.train(params, dtr, MAX_ROUNDS, evals=[(dva, "valid")], early_stopping_rounds=EARLY_STOP,
                        verbose_eval=False, callbacks=[Report()])
    best = booster.best_iteration + 1
    return booster[:best], best


def _fit_catboost(tr, va, progress: Progress | None, depth: int):
    import catboost

    class Report:
        def after_iteration(self, info):
            if progress:
                progress(info.iteration, MAX_ROUNDS)
            return True

    model = catboost.CatBoostRegressor(loss_function="MAE", iterations=MAX_ROUNDS, learning_rate=0.06, depth=depth,
                                       l2_leaf_reg=5, random_seed=7, thread_count=2, od_type="Iter",
                                       od_wait=EARLY_STOP, use_best_model=True, verbose=0, allow_writing_files=False)
    model.fit(dataset.matrix(tr), tr["actual"], eval_set=(dataset.matrix(va), va["actual"]), callbacks=[Report()])
    return model, int(model.get_best_iteration() or 0) + 1


def train(warehouse: Warehouse, store: ObjectStore, system: str, prop: str = "points",
          windows: Windows = Windows(), force: bool = False, bundle_dir: Path | None = None,
          progress: Progress | None = None, champion: bool = True, fallback_dir: Path = BUNDLED) -> TrainResult:
    """``champion=False`` registers the version without ever moving latest.json (a challenger).
    The gate compares with what the workers serve: the champion, else the bundled model in
    ``fallback_dir``."""
    if system not in ML_SYSTEMS:
        raise BadArgument("system", system, f"one of {', '.join(ML_SYSTEMS)}")
    windows.check()
    rows = dataset.load(warehouse, prop, windows.train_start, windows.valid_end)
    when = rows["game_date"]
    tr = rows[(when >= pd.Timestamp(windows.train_start)) & (when <= pd.Timestamp(windows.train_end))]
    va = rows[(when >= pd.Timestamp(windows.valid_start)) & (when <= pd.Timestamp(windows.valid_end))]
    if tr.empty or va.empty:
        raise EmptyWindow(f"no feature-store rows with results in the training window {windows.train_start}.."
                          f"{windows.train_end} ({len(tr)} rows) or the validation window {windows.valid_start}.."
                          f"{windows.valid_end} ({len(va)} rows); {covered(warehouse)}")
    fit = _fit_xgboost if system == "xgboost" else _fit_catboost
    impl, best = fit(tr, va, progress, TREE_DEPTH.get(prop, DEFAULT_DEPTH))
    model_bytes = native.dump(system, impl)
    model = native.load(system, model_bytes, list(NAMES))     # score exactly what the worker will load
    pred = model.predict(va)
    interval = fit_interval(va["actual"], pred, va[MINUTES_FEATURE], prop=prop)
    low, _, high = apply_interval(pred, interval, va[MINUTES_FEATURE])
    metrics = {
        "valid": {**accuracy(va["actual"], pred), "interval_coverage": coverage(va["actual"], low, high)},
        "train": accuracy(tr["actual"], model.predict(tr)),
        "baselines": {b: accuracy(va["actual"], va[col]) for b, col in PROP_BY_NAME[prop].baselines.items()},
        "windows": {k: str(v) for k, v in windows.__dict__.items()},
        "rows": {"train": int(len(tr)), "valid": int(len(va))},
        "best_iteration": best, "trained_at": datetime.now(UTC).isoformat(),
    }
    schema = {"features": list(NAMES), "feature_version": FEATURE_VERSION, "prop": prop, "system": system,
              "format": native.FORMATS[system], "library_version": _library_version(system), "interval": interval}
    name = model_name(system, prop)
    registry = Registry(store)
    version = registry.claim_version(name)
    digest = registry.put(name, version, system, model_bytes, metrics, schema)
    # what "normal" looked like for this model: every feature-store row of the training window, the same
    # population monitoring sees on a day (rostered players, not only those who went on to play)
    drift_ref = json.dumps(reference(warehouse.read(tables.ML_FEATURE_STORE.fqn, windows.train_start,
                                                    windows.train_end))).encode()
    store.write(f"models/{name}/v{version}/drift_reference.json", drift_ref)
    result = _gate(registry, name, version, digest, system, va, metrics, force, move=champion,
                   fallback_dir=fallback_dir)
    if bundle_dir is not None and result.promoted:   # the fallback is only ever a model that became champion
        result.bundled_to = _bundle(bundle_dir, name, system, model_bytes, metrics, {**schema, "sha256": digest,
                                                                                      "version": version})
        (result.bundled_to / "drift_reference.json").write_bytes(drift_ref)
    return result


def _served(registry: Registry, name: str, system: str, champion: Pointer | None, fallback_dir: Path):
    """(label, loaded model) of what the workers serve under ``name`` now: the champion, else
    the bundled model; None when neither exists (a new prop, a deployment without a bundle)."""
    if champion is not None:
        schema = registry.read_json(name, champion.version, "schema.json")
        model = native.load(system, registry.read_model(name, champion.version, system), schema["features"])
        return f"champion v{champion.version}", model
    try:
        bundled = load_bundled(fallback_dir, name, system)
    except (ModelUnavailable, native.InvalidModel) as exc:
        log.info("%s: nothing served to compare with (%s)", name, exc)
        return None
    return (f"the bundled model v{bundled.schema.get('version', '?')} (served while the registry has no champion)",
            bundled.model)


def _gate(registry: Registry, name: str, version: int, digest: str, system: str, va: pd.DataFrame, metrics: dict,
          force: bool, move: bool = True, fallback_dir: Path = BUNDLED) -> TrainResult:
    champion = registry.pointer(name)
    served = _served(registry, name, system, champion, fallback_dir)
    new_mae = metrics["valid"]["mae"]
    served_mae = None
    if served is not None:
        label, old = served
        served_mae = float(np.mean(np.abs(old.predict(va) - va["actual"].to_numpy())))
    if served is None:
        promoted, reason = True, "first version"
    elif new_mae < served_mae:
        promoted, reason = True, f"beats {label}: {new_mae:.4f} < {served_mae:.4f}"
    elif force:
        promoted, reason = True, f"forced over {label} ({new_mae:.4f} >= {served_mae:.4f})"
        log.warning("validation gate overridden (forced) for %s v%d", name, version)
    else:
        promoted, reason = False, f"does not beat {label}: {new_mae:.4f} >= {served_mae:.4f}"
    beats = served is None or new_mae < served_mae
    if promoted and not move:
        promoted, reason = False, f"registered as challenger ({reason})" if beats else reason
    if promoted:
        try:
            registry.set_pointer(name, version, digest, expected=champion)
        except PreconditionFailed:
            promoted, reason = False, "the champion moved during training; retrain to compare against it"
    registry.log(name, {"version": version, "decision": "promoted" if promoted else "rejected", "reason": reason,
                        "valid_mae": new_mae, "champion_mae": served_mae,
                        "champion_version": champion.version if champion else None,
                        "compared_with": label if served is not None else None,
                        "at": datetime.now(UTC).isoformat()})
    log.info("%s v%d %s: %s", name, version, "promoted" if promoted else "rejected", reason)
    return TrainResult(name, version, promoted, reason, metrics, served_mae, sha256=digest, beats_champion=beats)


def _bundle(root: Path, name: str, system: str, model: bytes, metrics: dict, schema: dict) -> Path:
    folder = Path(root) / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"model.{native.FORMATS[system]}").write_bytes(model)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    (folder / "schema.json").write_text(json.dumps(schema, indent=1) + "\n")
    return folder


def _library_version(system: str) -> str:
    if system == "xgboost":
        import xgboost

        return f"xgboost {xgboost.__version__}"
    import catboost

    return f"catboost {catboost.__version__}"
