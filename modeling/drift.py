"""Drift and accuracy monitoring for a date: each feature's population stability index
(PSI) against the champion's training window, stored per day, and alerts (ERROR logs with
a stable ``alert`` field) when a key feature drifts or a system's rolling MAE runs more
than 10% above its validation MAE."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from shared import tables
from shared.catalogue import DRIFT_KEY_FEATURES, PROP_NAMES, PSI_ALERT
from shared.features import STORE_NAMES as NAMES
from shared.models import BUNDLED
from shared.models.registry import Registry
from shared.ports import NotFound, ObjectStore, Warehouse

log = logging.getLogger(__name__)

REFERENCE_MODEL = "points_xgboost"
KEY_FEATURES = DRIFT_KEY_FEATURES      # the only features that alert (shared.catalogue says why)
MAE_RATIO_ALERT, MAE_DAYS = 1.10, 14
_EPS = 1e-4


def reference(frame: pd.DataFrame, features=NAMES) -> dict:
    """Decile bins of each feature over the training rows, and the share of rows in each."""
    out = {}
    for f in features:
        values = frame[f].to_numpy(dtype=float)
        edges = np.unique(np.quantile(values, np.linspace(0, 1, 11)[1:-1]))
        out[f] = {"edges": edges.tolist(), "expected": _shares(values, edges).tolist()}
    return out


def _shares(values: np.ndarray, edges) -> np.ndarray:
    counts = np.bincount(np.searchsorted(np.asarray(edges), values, side="right"), minlength=len(edges) + 1)
    return counts / max(len(values), 1)


def psi(ref: dict, frame: pd.DataFrame) -> dict[str, float]:
    out = {}
    for f, r in ref.items():
        if f not in frame:
            continue
        e = np.clip(np.asarray(r["expected"]), _EPS, None)
        a = np.clip(_shares(frame[f].to_numpy(dtype=float), r["edges"]), _EPS, None)
        out[f] = float(np.sum((a - e) * np.log(a / e)))
    return out


def _served(store: ObjectStore, name: str, filename: str) -> tuple[dict, str] | None:
    """(document, version label) of a file of the model the workers serve under ``name``:
    the champion's, else the bundled copy."""
    registry = Registry(store)
    pointer = registry.pointer(name)
    if pointer is not None:
        try:
            return registry.read_json(name, pointer.version, filename), str(pointer.version)
        except NotFound:
            log.warning("champion %s v%s has no %s; using the bundled one", name, pointer.version, filename)
    path = BUNDLED / name / filename
    return (json.loads(path.read_text()), "bundled") if path.exists() else None


def champion_reference(store: ObjectStore) -> tuple[dict, str] | None:
    return _served(store, REFERENCE_MODEL, "drift_reference.json")


@dataclass
class MonitorResult:
    day: date
    psi: dict
    drift_alerts: list[str]
    accuracy_alerts: list[str]


def monitor(warehouse: Warehouse, store: ObjectStore, day: date) -> MonitorResult:
    found = champion_reference(store)
    features = warehouse.read(tables.ML_FEATURE_STORE.fqn, day, day)
    scores: dict = {}
    drift_alerts = []
    if found is None:
        log.warning("no drift reference available; PSI not computed for %s", day)
    elif len(features):
        ref, version = found
        scores = psi(ref, features)
        warehouse.replace_partitions(tables.FEATURE_DRIFT.fqn, pd.DataFrame(
            [{"game_date": day, "feature": f, "psi": v, "rows": len(features), "reference_model": REFERENCE_MODEL,
              "reference_version": version} for f, v in scores.items()]), day, day)
        for f in KEY_FEATURES:
            if scores.get(f, 0) > PSI_ALERT:
                drift_alerts.append(f)
                log.error("feature %s drifted on %s: PSI %.3f > %.2f", f, day, scores[f], PSI_ALERT,
                          extra={"alert": "feature_drift", "feature": f, "psi": scores[f], "game_date": str(day)})
    return MonitorResult(day, scores, drift_alerts, _accuracy_alerts(warehouse, store, day))


def _accuracy_alerts(warehouse: Warehouse, store: ObjectStore, day: date) -> list[str]:
    """Per prop: the served xgboost and ensemble against the xgboost champion's validation MAE."""
    daily = warehouse.read(tables.DAILY_ACCURACY.fqn, day - timedelta(days=MAE_DAYS), day)
    alerts = []
    for prop in PROP_NAMES:
        served = _served(store, f"{prop}_xgboost", "metrics.json")
        if served is None:
            continue
        valid_mae = served[0]["valid"]["mae"]
        for system in ("xgboost", "ensemble"):
            g = daily[(daily["system"] == system) & (daily["prop"] == prop)]
            if g["n"].sum() == 0:
                continue
            rolling = float((g["mae"] * g["n"]).sum() / g["n"].sum())
            if rolling > MAE_RATIO_ALERT * valid_mae:
                alerts.append(system if prop == "points" else f"{prop} {system}")
                log.error("%s %s rolling %d-day MAE %.3f exceeds validation MAE %.3f by more than 10%%", prop,
                          system, MAE_DAYS, rolling, valid_mae,
                          extra={"alert": "accuracy_degraded", "system": system, "prop": prop,
                                 "rolling_mae": rolling, "validation_mae": valid_mae})
    return alerts
