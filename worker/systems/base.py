from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd

Z80 = 1.2816    # the 10th/90th percentiles of a normal, in standard deviations


@dataclass
class Output:
    frame: pd.DataFrame          # predicted, p10, p50, p90 (index aligned with the input rows)
    model_name: str
    model_version: str
    model_source: str            # registry | bundled | rule


@dataclass
class Context:
    day: date
    prop: str = "points"
    features: object = None      # worker.features.FeatureCache (similarity reads history)
    models: object = None        # worker.models.ModelProvider
    previous: dict | None = None  # outputs of the systems run before (ensemble)


class System(Protocol):
    name: str

    def predict(self, rows: pd.DataFrame, ctx: Context) -> Output: ...


def normal_interval(center: np.ndarray, sigma: np.ndarray) -> pd.DataFrame:
    center = np.clip(np.asarray(center, dtype=float), 0, None)
    sigma = np.asarray(sigma, dtype=float)
    return pd.DataFrame({"predicted": center, "p10": np.clip(center - Z80 * sigma, 0, None), "p50": center,
                         "p90": center + Z80 * sigma})


def spread(rows: pd.DataFrame, center: np.ndarray) -> np.ndarray:
    """A player's typical miss: his recent std, never below a count-like floor."""
    return np.maximum(rows["pts_std_last10"].to_numpy(dtype=float), np.sqrt(np.clip(center, 0, None) + 1)) * 0.95
