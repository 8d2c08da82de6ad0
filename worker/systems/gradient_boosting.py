"""XGBoost and CatBoost models from the registry (or the bundled fallback)."""
from __future__ import annotations

import numpy as np

from shared.models.intervals import MINUTES_FEATURE, apply_distribution
from worker.systems.base import Context, Output, col, with_quantiles


class GradientBoosting:
    def __init__(self, kind: str):
        self.kind = self.name = kind

    def predict(self, rows, ctx: Context) -> Output:
        name = f"{ctx.prop}_{self.kind}"
        if ctx.models is None:
            raise ValueError(f"{self.kind} needs the worker's models")
        out = _run(ctx.models.get(name, self.kind), rows)
        challenger = ctx.models.challenger(name, self.kind)
        if challenger is not None and (challenger.version, challenger.source) != (out.model_version,
                                                                                  out.model_source):
            out.shadow = _run(challenger, rows)
        return out


def _run(loaded, rows) -> Output:
    center = np.clip(loaded.model.predict(rows), 0, None)
    interval = loaded.schema["interval"]
    minutes = col(rows, MINUTES_FEATURE) if interval.get("by") == MINUTES_FEATURE else None
    return Output(with_quantiles(center, apply_distribution(center, interval, minutes)), loaded.name,
                  loaded.version, loaded.source)
