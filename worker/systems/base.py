from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

import numpy as np

from shared import distribution
from shared.props import PROP_BY_NAME

if TYPE_CHECKING:
    from worker.features import FeatureCache
    from worker.model_provider import ModelProvider

Rows = Mapping[str, object]   # column -> values: a DataFrame, or a dict of arrays (one player or many)


class FeatureRows(dict):
    """Column -> values for the players of one request group; the model matrix is built once
    and shared by the ten models that read the same feature list."""

    def matrix(self, features: list[str]) -> np.ndarray:
        key = tuple(features)
        cache = self.__dict__.setdefault("_matrices", {})
        if key not in cache:
            cache[key] = np.column_stack([np.atleast_1d(np.asarray(self[f], dtype=np.float32)) for f in features])
        return cache[key]


def col(rows: Rows, name: str) -> np.ndarray:
    return np.atleast_1d(np.asarray(rows[name], dtype=float))


@dataclass
class Output:
    values: dict                 # predicted, p10, p50, p90 -> arrays aligned with the input rows; quantiles ->
    #                              (rows, 19) at shared.distribution.LEVELS, from which p10/p50/p90 are read
    model_name: str
    model_version: str
    model_source: str | np.ndarray  # registry | bundled | rule | fallback; an array when it differs per row
    shadow: Output | None = None  # the challenger's output, written as shadow rows


@dataclass
class Context:
    day: date
    prop: str = "points"
    features: FeatureCache | None = None   # similarity reads history
    models: ModelProvider | None = None
    previous: dict = field(default_factory=dict)   # outputs of the systems run before (ensemble)
    player_ids: Sequence[int] | np.ndarray = ()   # ids aligned with the rows (similarity)


class System(Protocol):
    name: str

    def predict(self, rows: Rows, ctx: Context) -> Output: ...


def with_quantiles(predicted, quantiles) -> dict:
    """An output's values: the center and its distribution, p10/p50/p90 read from it."""
    q = distribution.monotone(quantiles)
    return {"predicted": np.atleast_1d(np.asarray(predicted, dtype=float)), "quantiles": q,
            "p10": q[:, 1], "p50": q[:, 9], "p90": q[:, 17]}


def normal_interval(center, sigma) -> dict:
    """A normal around the center, floored at zero (the rule systems)."""
    center = np.clip(np.atleast_1d(np.asarray(center, dtype=float)), 0, None)
    return with_quantiles(center, distribution.normal_quantiles(center, np.broadcast_to(sigma, center.shape)))


def stat(ctx: Context) -> str:
    """The feature prefix of the context's prop (pts, reb, ast, fg3m, pra)."""
    return PROP_BY_NAME[ctx.prop].stat


def spread(rows: Rows, center, prefix: str = "pts") -> np.ndarray:
    """A player's typical miss: his recent std, never below a count-like floor."""
    return np.maximum(col(rows, f"{prefix}_std_last10"), np.sqrt(np.clip(center, 0, None) + 1)) * 0.95
