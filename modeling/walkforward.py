"""Walk-forward evaluation: a season replayed as production runs it. Before each period of
``every`` days the models are retrained on the rolling window that ends the day before
(modeling.retrain's windows) behind the validation gate, in a scratch registry seeded with
today's champion; the period is predicted by whichever model holds the champion pointer
then. The frozen figure (today's champion for the whole season) is measured on the same rows."""
from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from modeling import dataset
from modeling.evaluation import MIN_GAMES
from modeling.retrain import rolling_windows
from modeling.train import model_name, train
from shared.adapters.directory_store import DirectoryStore
from shared.catalogue import ML_SYSTEMS
from shared.errors import BadArgument
from shared.models import BUNDLED, native
from shared.models.registry import Registry
from shared.ports import ObjectStore, Warehouse


@dataclass
class WalkForward:
    prop: str
    every: int
    rows: int
    frozen: dict[str, float]              # system -> MAE of today's champion over the season
    walked: dict[str, float]              # system -> MAE of the weekly champions
    retrains: dict[str, int]
    promoted: dict[str, int]
    train_seconds: dict[str, float]
    periods: list[dict] = field(default_factory=list)


def walk_forward(warehouse: Warehouse, store: ObjectStore, start: date, end: date, prop: str = "points",
                 every: int = 7, systems=ML_SYSTEMS,
                 progress: Callable[[int, int], None] | None = None) -> WalkForward:
    if every < 1:
        raise BadArgument("retrain_every", every, "at least 1 day")
    rows = dataset.load(warehouse, prop, start, end)
    rows = rows[rows["games_played_season"] >= MIN_GAMES].reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"no graded rows between {start} and {end}: import box scores and backfill the range first")
    days = sorted(rows["game_date"].dt.date.unique())
    starts = [days[0] + timedelta(days=every * i) for i in range((days[-1] - days[0]).days // every + 1)]
    starts = [s for s in starts if any(s <= d < s + timedelta(days=every) for d in days)]
    frozen, walked = {}, {s: np.full(len(rows), np.nan) for s in systems}
    result = WalkForward(prop, every, len(rows), {}, {}, {s: 0 for s in systems}, {s: 0 for s in systems},
                         {s: 0.0 for s in systems})
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = DirectoryStore(scratch_dir)
        for system in systems:
            model, schema = _seed(store, scratch, model_name(system, prop), system)
            frozen[system] = model.predict(rows)
        steps = len(starts) * len(systems)   # one retrain per period and system, reported as each ends
        if progress:
            progress(0, steps)
        for i, first in enumerate(starts, 1):
            last = first + timedelta(days=every - 1)
            inside = ((rows["game_date"].dt.date >= first) & (rows["game_date"].dt.date <= last)).to_numpy()
            period = {"start": first.isoformat(), "end": last.isoformat(), "rows": int(inside.sum())}
            for j, system in enumerate(systems, 1):
                began = time.perf_counter()
                try:
                    trained = train(warehouse, scratch, system, prop, rolling_windows(first - timedelta(days=1)))
                    period[system] = {"version": trained.version, "promoted": trained.promoted,
                                      "reason": trained.reason}
                    result.retrains[system] += 1
                    result.promoted[system] += int(trained.promoted)
                except ValueError as exc:   # the 90-day validation window fell in the off-season
                    period[system] = {"promoted": False, "reason": f"not retrained: {exc}"[:200]}
                result.train_seconds[system] += time.perf_counter() - began
                model = _champion(scratch, model_name(system, prop), system)
                walked[system][inside] = model.predict(rows[inside])
                if progress:
                    progress((i - 1) * len(systems) + j, steps)
            result.periods.append(period)
    actual = rows["actual"].to_numpy()
    result.frozen = {s: float(np.mean(np.abs(frozen[s] - actual))) for s in systems}
    result.walked = {s: float(np.mean(np.abs(walked[s] - actual))) for s in systems}
    return result


def _seed(store: ObjectStore, scratch: ObjectStore, name: str, system: str):
    """Copy today's champion (the registry's, else the bundled model) into the scratch
    registry as its champion, and return it loaded."""
    source = Registry(store)
    pointer = source.pointer(name)
    if pointer is not None:
        schema = source.read_json(name, pointer.version, "schema.json")
        metrics = source.read_json(name, pointer.version, "metrics.json")
        data = source.read_model(name, pointer.version, system)
    else:
        folder = BUNDLED / name
        schema = json.loads((folder / "schema.json").read_text())
        metrics = json.loads((folder / "metrics.json").read_text())
        data = (folder / f"model.{native.FORMATS[system]}").read_bytes()
    target = Registry(scratch)
    version = target.claim_version(name)
    digest = target.put(name, version, system, data, metrics, schema)
    target.set_pointer(name, version, digest, expected=None)
    return native.load(system, data, schema["features"]), schema


def _champion(scratch: ObjectStore, name: str, system: str):
    registry = Registry(scratch)
    pointer = registry.pointer(name)
    if pointer is None:   # _seed set one, and a promotion only moves it
        raise LookupError(f"{name}: the walk-forward's scratch registry has no champion")
    schema = registry.read_json(name, pointer.version, "schema.json")
    return native.load(system, registry.read_model(name, pointer.version, system), schema["features"])


def as_frame(result: WalkForward) -> pd.DataFrame:
    return pd.DataFrame([{"system": s, "rows": result.rows, "frozen_mae": result.frozen[s],
                          "walk_forward_mae": result.walked[s], "retrains": result.retrains[s],
                          "promoted": result.promoted[s], "train_seconds": result.train_seconds[s]}
                         for s in result.frozen])
