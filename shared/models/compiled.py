"""The trees of a loaded model as numpy arrays, evaluated for a handful of rows at a time.

A worker request brings one player; the libraries spend about a millisecond per call on
setting up (a CatBoost Pool, XGBoost's predictor state) whatever the rows, which is most of
a request's time with ten models. Walking the trees here costs tens of microseconds for
one row. For many rows the libraries' native loops win, so ``native.Model`` asks these only
for small calls (SMALL).

Only what is checked is used: a model in a shape this does not evaluate (categorical
splits, a non-identity link, several outputs) compiles to None, and a compiled model must
reproduce the library's predictions exactly on probe rows built from its own split points (NaNs
included) before it serves; otherwise the library serves every call."""
from __future__ import annotations

import logging
import os
import tempfile
from itertools import chain
from typing import Protocol

import numpy as np
import orjson

log = logging.getLogger(__name__)

SMALL = 8           # rows up to which a call goes to the compiled trees (bin/bench worker --profile)
TOLERANCE = 0.0     # the compiled trees must give the library's predictions to the bit: a batch predicted
#                     in groups of one row or of hundreds writes the same numbers
IDENTITY_LINK = {"reg:squarederror", "reg:absoluteerror", "reg:pseudohubererror"}
ROOT = 2147483647   # XGBoost's parent index of a root


class Trees(Protocol):
    def predict(self, x: np.ndarray) -> np.ndarray: ...

    def thresholds(self) -> dict[int, np.ndarray]: ...


class XGBoostTrees:
    """Binary trees: go left when the value is below the split, a missing value goes the
    node's default way; the sum runs in float32 tree by tree from the base score, as the
    library's CPU predictor adds it."""

    def __init__(self, trees: list[dict], base_score: float):
        sizes = [len(t["left_children"]) for t in trees]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

        def joined(key: str, dtype) -> np.ndarray:
            return np.array(list(chain.from_iterable(t[key] for t in trees)), dtype=dtype)

        left, right, parent = joined("left_children", np.int64), joined("right_children", np.int64), \
            joined("parents", np.int64)
        owner = np.repeat(offsets, sizes)
        leaf = left == -1
        here = np.arange(len(left))
        self.left = np.where(leaf, here, left + owner)      # a leaf points at itself, so extra steps stay put
        self.right = np.where(leaf, here, right + owner)
        default_left = joined("default_left", bool)
        self.default = np.where(default_left, self.left, self.right)
        self.feature = np.where(leaf, 0, joined("split_indices", np.int64))
        conditions = joined("split_conditions", np.float32)
        self.threshold = np.where(leaf, np.float32(np.inf), conditions).astype(np.float32)
        self.value = np.where(leaf, conditions, 0).astype(np.float32)   # a leaf's condition is its value
        self.roots = offsets
        self.depth = _depth(np.where(parent == ROOT, -1, parent + owner))
        self.base = np.float32(base_score)

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        rows = np.arange(len(x))[:, None]
        missing = bool(np.isnan(x).any())
        for _ in range(self.depth):
            v = x[rows, self.feature[node]]
            step = np.where(v < self.threshold[node], self.left[node], self.right[node])
            node = np.where(np.isnan(v), self.default[node], step) if missing else step
        leaves = np.concatenate([np.full((len(x), 1), self.base, np.float32), self.value[node]], axis=1)
        return np.cumsum(leaves, axis=1, dtype=np.float32)[:, -1].astype(float)

    def thresholds(self) -> dict[int, np.ndarray]:
        split = self.left != np.arange(len(self.left))
        return _by_feature(self.feature[split], self.threshold[split])


class ObliviousTrees:
    """CatBoost's symmetric trees: each level asks one question of every row (value above
    the border), the answers are the bits of the leaf's index; scale and bias at the end."""

    def __init__(self, trees: list[dict], float_features: list[dict], scale: float, bias: float):
        depth = max(len(t["splits"]) for t in trees)
        self.feature = np.zeros((len(trees), depth), np.int64)
        self.border = np.full((len(trees), depth), np.inf, np.float32)   # a padded level always answers 0
        flat = {f["feature_index"]: f["flat_feature_index"] for f in float_features}
        for i, t in enumerate(trees):
            for level, split in enumerate(t["splits"]):
                self.feature[i, level] = flat[split["float_feature_index"]]
                self.border[i, level] = split["border"]
        self.bits = (1 << np.arange(depth)).astype(np.int64)
        sizes = [len(t["leaf_values"]) for t in trees]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.leaves = np.concatenate([np.asarray(t["leaf_values"], float) for t in trees])
        self.nan_high = np.array([f["flat_feature_index"] for f in float_features
                                  if f.get("nan_value_treatment") == "AsTrue" or f.get("nan_value_treatment") == "Max"],
                                 np.int64)
        self.scale, self.bias = scale, bias

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if len(self.nan_high) and np.isnan(x[:, self.nan_high]).any():
            x = x.copy()
            cols = x[:, self.nan_high]
            x[:, self.nan_high] = np.where(np.isnan(cols), np.inf, cols)
        above = x[:, self.feature] > self.border            # NaN compares false: below every border ("Min")
        index = above @ self.bits
        # tree by tree, as the library adds them: a pairwise sum differs in the last bits
        return np.cumsum(self.leaves[self.offsets + index], axis=1)[:, -1] * self.scale + self.bias

    def thresholds(self) -> dict[int, np.ndarray]:
        real = np.isfinite(self.border)
        return _by_feature(self.feature[real], self.border[real])


def compile_model(kind: str, impl, n_features: int, seed: int = 0) -> Trees | None:
    """The model's trees as arrays, checked against the library; None when they cannot be
    (the library then serves every call)."""
    try:
        trees = _xgboost(impl) if kind == "xgboost" else _catboost(impl)
    except (KeyError, ValueError, IndexError, TypeError) as exc:
        log.info("%s model not compiled: %s", kind, exc)
        return None
    if trees is None:
        return None
    probe = _probe(trees, n_features, np.random.default_rng(seed))
    library = np.asarray(impl.inplace_predict(probe) if kind == "xgboost" else impl.predict(probe), dtype=float)
    worst = float(np.max(np.abs(trees.predict(probe) - library)))
    if not worst <= TOLERANCE:
        log.warning("%s model's compiled trees differ from the library by %.3g on probe rows; the library serves it",
                    kind, worst)
        return None
    return trees


def _xgboost(booster) -> XGBoostTrees | None:
    learner = orjson.loads(bytes(booster.save_raw("json")))["learner"]
    params, gb = learner["learner_model_param"], learner["gradient_booster"]
    if (gb["name"] != "gbtree" or learner["objective"]["name"] not in IDENTITY_LINK
            or int(params.get("num_target", 1)) != 1 or int(params.get("num_class", 0)) > 1
            or int(gb["model"]["gbtree_model_param"]["num_parallel_tree"]) != 1):
        return None
    trees = gb["model"]["trees"]
    if any(t["categories"] or any(t["split_type"]) for t in trees):
        return None
    return XGBoostTrees(trees, float(str(params["base_score"]).strip("[]")))


def _catboost(model) -> ObliviousTrees | None:
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        model.save_model(path, format="json")
        with open(path, "rb") as fh:
            exported = orjson.loads(fh.read())
    finally:
        os.unlink(path)
    info = exported["features_info"]
    if set(info) != {"float_features"} or "oblivious_trees" not in exported:
        return None
    trees = exported["oblivious_trees"]
    if any(s["split_type"] != "FloatFeature" for t in trees for s in t["splits"]) or \
            any(len(t["leaf_values"]) != 1 << len(t["splits"]) for t in trees):
        return None
    scale, bias = exported.get("scale_and_bias", [1.0, [0.0]])
    if len(bias) != 1:
        return None
    return ObliviousTrees(trees, info["float_features"], float(scale), float(bias[0]))


def _depth(parent: np.ndarray) -> int:
    depth = np.zeros(len(parent), np.int64)
    for _ in range(len(parent)):
        nxt = np.where(parent < 0, 0, depth[np.maximum(parent, 0)] + 1)
        if np.array_equal(nxt, depth):
            break
        depth = nxt
    return int(depth.max()) if len(depth) else 0


def _by_feature(features: np.ndarray, values: np.ndarray) -> dict[int, np.ndarray]:
    return {int(f): np.unique(values[features == f]) for f in np.unique(features)}


def _probe(trees: Trees, n_features: int, rng: np.random.Generator, rows: int = 64) -> np.ndarray:
    """Rows on and around the model's own split points, a tenth of the values missing:
    every comparison the trees make is exercised at its edge."""
    x = rng.normal(0, 10, (rows, n_features)).astype(np.float32)
    for f, points in trees.thresholds().items():
        if f < n_features and len(points):
            at = rng.choice(points, rows).astype(np.float32)
            nudge = rng.choice(np.array([-1, 0, 1], np.int8), rows)
            toward = np.where(nudge > 0, np.float32(np.inf), np.float32(-np.inf)).astype(np.float32)
            with np.errstate(over="ignore"):
                x[:, f] = np.where(nudge == 0, at, np.nextafter(at, toward))
    x[rng.random(x.shape) < 0.1] = np.nan
    return x
