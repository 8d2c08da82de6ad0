"""Tonight's availability, measured on 2023-24 (never trained on): two sets of bundled models
(today's and the new ones, folders laid out as shared/models/bundled/) on the season's graded
rows (played, 10+ earlier games that season), with the tonight columns realised (what a
complete report would have said) or unknown (none). The models and the ensemble weights are
applied exactly as the worker applies them; `predict-range --availability ...` then `evaluate`
gives the same figures through the whole chain, at a hundred times the cost.
    PIPELINE_HOME=<nine seasons> BASELINE_MODELS=<today's bundled/> [NEW_MODELS=<dir>] bin/bench availability
"""
from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from modeling import dataset
from shared import availability, tables
from shared.bootstrap import build_warehouse
from shared.catalogue import ML_SYSTEMS, PROP_NAMES
from shared.config import Settings
from shared.features import TONIGHT_NAMES
from shared.models import BUNDLED, native

SEASON = (date(2023, 10, 24), date(2024, 4, 14))
MIN_GAMES = 10


def season_rows(warehouse) -> pd.DataFrame:
    """Every rostered row of the season with the tonight columns realised, and what happened."""
    start, end = SEASON
    box = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, start, end,
                         columns=["game_date", "player_id", "team_abbr", "played"])
    store = warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end).reset_index(drop=True)
    tonight = availability.columns(store, availability.realised(store, box))
    store[list(TONIGHT_NAMES)] = tonight[list(TONIGHT_NAMES)].to_numpy()
    actual = dataset.outcomes(warehouse, start, end)
    rows = store.merge(actual, on=["game_date", "player_id"], how="inner")
    return rows[rows["games_played_season"] >= MIN_GAMES].reset_index(drop=True)


def predictions(folder: Path, prop: str, rows: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {}
    for system in ML_SYSTEMS:
        model_dir = folder / f"{prop}_{system}"
        schema = json.loads((model_dir / "schema.json").read_text())
        model = native.load(system, (model_dir / f"model.{native.FORMATS[system]}").read_bytes(), schema["features"])
        out[system] = np.clip(model.predict(rows), 0, None)
    weights = json.loads((folder / f"{prop}_ensemble" / "weights.json").read_text())["weights"]
    used = {s: w for s, w in weights.items() if w > 0}
    if set(used) <= set(out):   # a blend of rule systems too is left to predict-range
        total = sum(used.values())
        out["ensemble"] = sum(out[s] * (w / total) for s, w in used.items())
    return out


def run(data: Path) -> None:
    home, baseline = os.environ.get("PIPELINE_HOME"), os.environ.get("BASELINE_MODELS")
    if not home or not baseline:
        raise SystemExit("set PIPELINE_HOME (the nine seasons) and BASELINE_MODELS (today's bundled models)")
    new = Path(os.environ.get("NEW_MODELS", BUNDLED))
    rows = season_rows(build_warehouse(Settings.from_env({"PIPELINE_HOME": home}), read_only=True))
    unknown = rows.assign(**{c: np.nan for c in TONIGHT_NAMES})
    absent = rows["tonight_teammates_out"].to_numpy() >= 1
    print(f"{len(rows):,} graded rows per prop, {absent.mean():.1%} with a rotation teammate absent (realised)")
    print("| prop | system | today | new, realised | new, none | absent rows: today | absent rows: new |")
    print("|---|---|---|---|---|---|---|")
    for prop in PROP_NAMES:
        truth = rows[prop].astype(float).to_numpy()
        today = predictions(Path(baseline), prop, rows)
        realised, none = predictions(new, prop, rows), predictions(new, prop, unknown)
        for system in (s for s in ("ensemble", *ML_SYSTEMS) if s in today and s in realised):
            figures = [mae(today[system], truth), mae(realised[system], truth), mae(none[system], truth),
                       mae(today[system][absent], truth[absent]), mae(realised[system][absent], truth[absent])]
            print(f"| {prop} | {system} | " + " | ".join(f"{m:.3f}" for m in figures) + " |")


def mae(predicted: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean(np.abs(predicted - truth)))
