"""Fit the ensemble's blend weights on validation rows: non-negative, summing to one,
chosen by grid search (steps of 0.05) to minimise MAE. The similarity system is left
out: it needs each player's history row by row, which a season of rows makes slow."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from modeling import dataset
from modeling.metrics import accuracy
from modeling.windows import EmptyWindow, Windows, covered
from shared.catalogue import ML_SYSTEMS
from shared.models.intervals import MINUTES_FEATURE, fit_interval
from shared.models.native import sha256
from shared.models.registry import Registry
from shared.models.weights import EnsembleWeights
from shared.ports import ObjectStore, Warehouse
from worker.model_provider import ModelProvider
from worker.systems.base import Context, System
from worker.systems.ensemble import blend
from worker.systems.gradient_boosting import GradientBoosting
from worker.systems.moving_average import MovingAverage
from worker.systems.zone_matchup import ZoneMatchup

# similarity is left out: it needs each player's history, which validation rows do not carry
MEMBERS: tuple[System, ...] = (MovingAverage(), ZoneMatchup(), *(GradientBoosting(n) for n in ML_SYSTEMS))
STEP = 0.05


def fit(warehouse: Warehouse, store: ObjectStore, prop: str = "points", windows: Windows = Windows(),
        bundle_dir: Path | None = None) -> EnsembleWeights:
    rows = dataset.load(warehouse, prop, windows.valid_start, windows.valid_end)
    if rows.empty:
        raise EmptyWindow(f"no feature-store rows with results in the validation window {windows.valid_start}.."
                          f"{windows.valid_end}; {covered(warehouse)}")
    ctx = Context(day=windows.valid_end, prop=prop, models=ModelProvider(Registry(store)))
    outputs = {m.name: m.predict(rows, ctx) for m in MEMBERS}
    preds = {name: out.values["predicted"] for name, out in outputs.items()}
    names, actual = list(preds), rows["actual"].to_numpy()
    stack = np.column_stack([preds[n] for n in names])
    steps = int(round(1 / STEP))
    best: tuple[float, np.ndarray | None] = (np.inf, None)
    for combo in itertools.product(range(steps + 1), repeat=len(names) - 1):
        if sum(combo) > steps:
            continue
        w = np.array([*combo, steps - sum(combo)], dtype=float) / steps
        mae = float(np.mean(np.abs(stack @ w - actual)))
        if mae < best[0]:
            best = (mae, w)
    if best[1] is None:
        raise ValueError(f"{prop}: no blend of {', '.join(names)} has a finite validation MAE (missing predictions?)")
    weights = {n: round(float(x), 4) for n, x in zip(names, best[1], strict=True)}
    served = {n: w for n, w in weights.items() if w > 0}
    center = blend(outputs, served, "predicted")
    doc = EnsembleWeights(
        version=f"ens-{datetime.now(UTC):%Y%m%d%H%M%S}", prop=prop, weights=weights, valid_mae=best[0],
        members_valid_mae={n: accuracy(actual, preds[n])["mae"] for n in names},
        member_versions={n: f"{out.model_source}:{out.model_version}" for n, out in outputs.items()},
        windows={k: str(v) for k, v in windows.__dict__.items()}, rows=int(len(rows)),
        # the blend's own predictive distribution, on the rows its weights were fitted on
        interval=fit_interval(actual, center, rows[MINUTES_FEATURE], prop=prop))
    doc.registry_version = register(store, prop, doc, "ensemble weights fitted")
    if bundle_dir is not None:
        write_bundled(bundle_dir, prop, doc)
    return doc


def register(store: ObjectStore, prop: str, doc: EnsembleWeights, reason: str) -> int:
    """A weights document as the registry's new champion; the workers blend with it from
    their next poll on, like any champion."""
    registry, name = Registry(store), f"{prop}_ensemble"
    version = registry.claim_version(name)
    data = doc.encoded(registered=False)
    store.write(f"models/{name}/v{version}/weights.json", data)
    registry.set_pointer(name, version, sha256(data), expected=registry.pointer(name))
    registry.log(name, {"version": version, "decision": "promoted_champion", "reason": reason,
                        "valid_mae": doc.valid_mae, "at": datetime.now(UTC).isoformat()})
    return version


def write_bundled(bundle_dir: Path, prop: str, doc: EnsembleWeights) -> None:
    folder = Path(bundle_dir) / f"{prop}_ensemble"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weights.json").write_text(doc.encoded().decode() + "\n")


