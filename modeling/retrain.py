"""Scheduled retraining: every model of every prop on the ten years before a 90-day
validation window ending on the last date with results (every season the data has: three
years lost to the seven-season champion in every walk-forward retrain, docs/EXPERIMENTS.md),
behind the validation gate, registered as champion or as challenger; the registry log
records the decision either way. A prop whose champion moved has its ensemble weights
refitted on the same validation window, so the blend never weighs members it was not
fitted for."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from modeling.ensemble import fit as fit_ensemble
from modeling.train import TrainResult, train
from modeling.windows import Windows
from shared.catalogue import ML_SYSTEMS, PROP_NAMES
from shared.errors import BadArgument
from shared.models import BUNDLED
from shared.models.registry import Registry
from shared.models.weights import EnsembleWeights
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


@dataclass
class Retrained:
    outcomes: list[RetrainOutcome]
    ensembles: dict[str, EnsembleWeights]   # prop -> the weights document refitted after its champion moved


def retrain(warehouse: Warehouse, store: ObjectStore, end: date, register_as: str = "champion",
            props=PROP_NAMES, systems=ML_SYSTEMS, fallback_dir: Path = BUNDLED,
            progress: Callable[[int, int], None] | None = None) -> Retrained:
    if register_as not in ("champion", "challenger"):
        raise BadArgument("register_as", register_as, "champion or challenger")
    windows = rolling_windows(end)
    done = Retrained([], {})
    for prop in props:
        moved = False
        for system in systems:
            result = train(warehouse, store, system, prop, windows, champion=register_as == "champion",
                           fallback_dir=fallback_dir)
            if register_as == "champion":
                role = "champion" if result.promoted else "rejected"
                moved = moved or result.promoted
            else:
                role = "challenger" if result.beats_champion else "rejected"
                if role == "challenger":
                    registry = Registry(store)
                    current = registry.pointer(result.name, "challenger")
                    registry.set_pointer(result.name, result.version, result.sha256, expected=current,
                                         which="challenger")
            done.outcomes.append(RetrainOutcome(result, role))
            if progress:
                progress(len(done.outcomes), len(props) * len(systems))
        if moved:
            done.ensembles[prop] = fit_ensemble(warehouse, store, prop, windows)
    return done
