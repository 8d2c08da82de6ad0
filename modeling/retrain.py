"""Scheduled retraining: every model on the ten years before a 90-day validation window
ending yesterday (every season the data has: three years lost to the seven-season champion
in every walk-forward retrain, docs/EXPERIMENTS.md), behind the validation gate, registered
as champion or as challenger; the registry log records the decision either way."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from modeling.train import TrainResult, Windows, train
from shared.catalogue import ML_SYSTEMS
from shared.models.registry import Registry
from shared.ports import ObjectStore, Warehouse

VALID_DAYS, TRAIN_YEARS = 90, 10


def rolling_windows(end: date) -> Windows:
    valid_start = end - timedelta(days=VALID_DAYS)
    train_end = valid_start - timedelta(days=1)
    return Windows(train_end - timedelta(days=365 * TRAIN_YEARS), train_end, valid_start, end)


@dataclass
class RetrainOutcome:
    result: TrainResult
    role: str          # champion | challenger | rejected


def retrain(warehouse: Warehouse, store: ObjectStore, end: date, register_as: str = "champion",
            prop: str = "points", systems=ML_SYSTEMS) -> list[RetrainOutcome]:
    if register_as not in ("champion", "challenger"):
        raise ValueError(f"--register-as {register_as!r}: champion or challenger")
    outcomes = []
    for system in systems:
        if register_as == "champion":
            result = train(warehouse, store, system, prop, rolling_windows(end))
            outcomes.append(RetrainOutcome(result, "champion" if result.promoted else "rejected"))
            continue
        result = train(warehouse, store, system, prop, rolling_windows(end), champion=False)
        role = "challenger" if result.beats_champion else "rejected"
        if role == "challenger":
            registry = Registry(store)
            current = registry.pointer(result.name, "challenger")
            registry.set_pointer(result.name, result.version, result.sha256, expected=current, which="challenger")
        outcomes.append(RetrainOutcome(result, role))
    return outcomes
