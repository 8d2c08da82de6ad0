"""Native model formats only: XGBoost UBJSON and CatBoost .cbm. Bytes are checked before
any library parses them, and a pickle (or anything else) is refused."""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable

import numpy as np
import pandas as pd

from shared.models import compiled

FORMATS = {"xgboost": "ubj", "catboost": "cbm"}


class InvalidModel(ValueError):
    """Bytes that are not a model in the expected native format, or fail their checksum."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_format(kind: str, data: bytes) -> None:
    if data[:1] in (b"\x80",) or data[:2] in (b"(d", b"(l", b"cc"):
        raise InvalidModel(f"{kind} model bytes look like a pickle; refusing to load")
    if kind == "xgboost" and not data.startswith(b"{"):
        raise InvalidModel("xgboost model is not UBJSON (expected '{' as the first byte)")
    if kind == "catboost" and not data.startswith(b"CBM1"):
        raise InvalidModel("catboost model is not a .cbm file (expected the CBM1 magic)")
    if kind not in FORMATS:
        raise InvalidModel(f"unknown model kind {kind!r}")


class Model:
    """A loaded native model that predicts from a frame with the schema's feature columns.
    Once ``compile`` has run, calls of a few rows go to the compiled trees
    (shared/models/compiled.py). The worker has it run in the background once a model has
    served COMPILE_AFTER small calls: compiling costs about a second of CPU for ten models,
    which a process that predicts in large groups (a backfill, a busy slate) never wins back."""

    COMPILE_AFTER = 32

    def __init__(self, kind: str, features: list[str], impl):
        self.kind, self.features, self.impl = kind, features, impl
        self.trees: compiled.Trees | None = None
        self.small_calls = 0
        self.when_small: Callable[[Model], object] | None = None   # asked once, after COMPILE_AFTER small calls

    def compile(self) -> bool:
        """Compile and check the trees; False when the library keeps serving every call."""
        self.trees = compiled.compile_model(self.kind, self.impl, len(self.features))
        return self.trees is not None

    def predict(self, rows) -> np.ndarray:
        """rows: a DataFrame, or a mapping of feature name -> values (one player or many)."""
        if isinstance(rows, pd.DataFrame):
            x = rows[self.features].to_numpy(dtype=np.float32)
        elif hasattr(rows, "matrix"):   # rows that build (and keep) the matrix once for every model
            x = rows.matrix(self.features)
        else:
            x = np.column_stack([np.atleast_1d(np.asarray(rows[f], dtype=np.float32)) for f in self.features])
        trees = self.trees
        if len(x) <= compiled.SMALL:
            if trees is not None:
                return trees.predict(x)
            self.small_calls += 1
            ask = self.when_small
            if ask is not None and self.small_calls >= self.COMPILE_AFTER:
                self.when_small = None      # once, even when two threads pass the count together
                ask(self)
        if self.kind == "xgboost":
            return np.asarray(self.impl.inplace_predict(x), dtype=float)
        return np.asarray(self.impl.predict(x), dtype=float)


def load(kind: str, data: bytes, features: list[str]) -> Model:
    check_format(kind, data)
    if kind == "xgboost":
        import xgboost as xgb

        booster = xgb.Booster()
        booster.set_param({"nthread": 1})
        booster.load_model(bytearray(data))
        return Model(kind, features, booster)
    import catboost

    model = catboost.CatBoostRegressor()
    model.load_model(blob=data)
    return Model(kind, features, model)


def dump(kind: str, impl) -> bytes:
    if kind == "xgboost":
        return bytes(impl.save_raw("ubj"))
    fd, path = tempfile.mkstemp(suffix=".cbm")
    os.close(fd)
    try:
        impl.save_model(path, format="cbm")
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(path)
