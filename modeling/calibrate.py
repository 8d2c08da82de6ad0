"""`calibrate`: refit the predictive distributions of what is served without retraining a
tree: each model's residual quantiles (shared/models/intervals.py) on its own validation
window (the windows in its metrics.json), then each prop's blend on its weights' window.

A registry champion's distribution is rewritten in its version's schema.json (the model's
bytes and checksum are untouched; workers read it when they next load that version); a
blend's weights with their distribution become a new registry version (its pointer is
checksummed); the bundled copies are rewritten in their folder."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from modeling import dataset, ensemble
from modeling.metrics import coverage, pinball
from modeling.windows import EmptyWindow, covered
from shared.catalogue import ML_SYSTEMS
from shared.models import BUNDLED
from shared.models.intervals import MINUTES_FEATURE, apply_distribution, fit_interval
from shared.models.registry import Registry
from shared.models.weights import EnsembleWeights
from shared.ports import ObjectStore, Warehouse
from worker.model_provider import ModelProvider
from worker.systems.base import Context
from worker.systems.ensemble import blend


@dataclass
class Calibrated:
    name: str
    source: str               # "registry v3", "bundled"
    window: str
    rows: int
    pinball_before: float     # the distribution it had (three quantiles: the split normal through them)
    pinball_after: float
    coverage_after: float     # p10-p90 on the same rows


def calibrate(warehouse: Warehouse, store: ObjectStore | None, props: list[str],
              bundle_dir: Path = BUNDLED) -> list[Calibrated]:
    """``store=None``: the bundled copies in ``bundle_dir``, whatever the registry holds."""
    registry = Registry(store) if store is not None else None
    provider = ModelProvider(registry, bundle_dir)
    done = []
    for prop in props:
        for system in ML_SYSTEMS:
            name = f"{prop}_{system}"
            loaded = provider.get(name, system)
            windows = _windows(registry, loaded, bundle_dir)
            va = _rows(warehouse, prop, windows)
            pred = np.clip(loaded.model.predict(va), 0, None)
            interval = fit_interval(va["actual"], pred, va[MINUTES_FEATURE], prop=prop)
            done.append(_measured(name, loaded, windows, va, pred, loaded.schema["interval"], interval))
            schema = json.dumps({**loaded.schema, "interval": interval}, indent=1) + "\n"
            if store is not None and loaded.source == "registry":   # only a store's registry serves "registry"
                store.write(f"models/{name}/v{loaded.version}/schema.json", schema.encode())
            else:
                (Path(bundle_dir) / name / "schema.json").write_text(schema)
        done.append(_blend(warehouse, store, provider, prop, bundle_dir))
    return done


def _blend(warehouse: Warehouse, store: ObjectStore | None, provider: ModelProvider, prop: str,
           bundle_dir: Path) -> Calibrated:
    loaded = provider.weights(f"{prop}_ensemble")
    doc: EnsembleWeights = loaded.model
    va = _rows(warehouse, prop, doc.windows)
    ctx = Context(day=date.fromisoformat(doc.windows["valid_end"]), prop=prop, models=provider)
    outputs = {m.name: m.predict(va, ctx) for m in ensemble.MEMBERS}
    weights = doc.served()
    center = blend(outputs, weights, "predicted")
    interval = fit_interval(va["actual"], center, va[MINUTES_FEATURE], prop=prop)
    before = doc.interval
    result = _measured(f"{prop}_ensemble", loaded, doc.windows, va, center, before, interval,
                       blended=None if before is not None else blend(outputs, weights, "quantiles"))
    new = doc.model_copy(update={"interval": interval})
    if store is not None and loaded.source == "registry":
        ensemble.register(store, prop, new, "distribution refitted (calibrate)")
    else:
        ensemble.write_bundled(bundle_dir, prop, new)
    return result


def _measured(name, loaded, windows: dict, va, center, before: dict | None, after: dict,
              blended=None) -> Calibrated:
    minutes = va[MINUTES_FEATURE]
    old = blended if before is None else apply_distribution(center, before, minutes)
    new = apply_distribution(center, after, minutes)
    return Calibrated(name, "bundled" if loaded.source == "bundled" else f"registry v{loaded.version}",
                      f"{windows['valid_start']}..{windows['valid_end']}", len(va), _scored(pinball(va["actual"], old)),
                      _scored(pinball(va["actual"], new)), _scored(coverage(va["actual"], new[:, 1], new[:, 17])))


def _scored(value: float | None) -> float:
    if value is None:   # a score of no rows; _rows refuses an empty window before
        raise EmptyWindow("no validation rows to score the distribution on")
    return value


def _windows(registry: Registry | None, loaded, bundle_dir: Path) -> dict:
    if registry is not None and loaded.source == "registry":
        metrics = registry.read_json(loaded.name, int(loaded.version), "metrics.json")
    else:
        metrics = json.loads((Path(bundle_dir) / loaded.name / "metrics.json").read_text())
    return metrics["windows"]


def _rows(warehouse: Warehouse, prop: str, windows: dict):
    start, end = date.fromisoformat(windows["valid_start"]), date.fromisoformat(windows["valid_end"])
    rows = dataset.load(warehouse, prop, start, end)
    if rows.empty:
        raise EmptyWindow(f"no feature-store rows with results in the validation window {start}..{end}, "
                          f"where the distribution is fitted; {covered(warehouse)}")
    return rows
