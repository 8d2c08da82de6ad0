"""A weighted blend of the other systems' outputs. The weights are fitted on validation
data (modeling/ensemble.py) and served like the models: the registry's champion
(models/{prop}_ensemble/latest.json), else shared/models/bundled/{prop}_ensemble/weights.json.
Rows name the weights' version and every member's version they blended.

Its distribution is the blend's own residual distribution (``interval`` in the weights
document, fitted on the weights' validation window: shared/models/intervals.py); weights
fitted before it existed blend the members' quantiles level by level instead."""
from __future__ import annotations

import numpy as np

from shared.models.intervals import MINUTES_FEATURE, apply_distribution
from worker.systems.base import Context, Output, col, with_quantiles


class Ensemble:
    name = "ensemble"

    def predict(self, rows, ctx: Context) -> Output:
        # the provider serves the weights like the models: registry champion, else the bundled copy
        if ctx.models is None:
            raise ValueError("the ensemble needs the worker's models")
        loaded = ctx.models.weights(f"{ctx.prop}_ensemble")
        doc, version, source = loaded.model, loaded.version, loaded.source
        weights = doc.served()
        missing = [s for s in weights if s not in ctx.previous]
        if missing:
            raise ValueError(f"ensemble needs the outputs of {missing}")
        center = blend(ctx.previous, weights, "predicted")
        interval = doc.interval
        if interval is not None:
            minutes = col(rows, MINUTES_FEATURE) if interval.get("by") == MINUTES_FEATURE else None
            quantiles = apply_distribution(center, interval, minutes)
        else:
            quantiles = blend(ctx.previous, weights, "quantiles")
        parts = "+".join(f"{s}:{ctx.previous[s].model_version}" for s in sorted(weights))
        return Output(with_quantiles(center, quantiles), f"{ctx.prop}_ensemble", f"{version}[{parts}]"[:120], source)


def blend(outputs: dict, weights: dict, key: str) -> np.ndarray:
    total = sum(weights.values())
    return sum(np.asarray(outputs[s].values[key], dtype=float) * (w / total) for s, w in weights.items())
