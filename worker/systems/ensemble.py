"""A weighted blend of the other systems' outputs. The weights are fitted on validation
data (modeling/ensemble.py) and served like the models: the registry's champion
(models/{prop}_ensemble/latest.json), else shared/models/bundled/{prop}_ensemble/weights.json.
Rows name the weights' version and every member's version they blended."""
from __future__ import annotations

from worker.systems.base import Context, Output


class Ensemble:
    name = "ensemble"

    def predict(self, rows, ctx: Context) -> Output:
        # the provider serves the weights like the models: registry champion, else the bundled copy
        loaded = ctx.models.weights(f"{ctx.prop}_ensemble")
        doc, version, source = loaded.model, loaded.version, loaded.source
        weights = {s: w for s, w in doc["weights"].items() if w > 0}
        missing = [s for s in weights if s not in (ctx.previous or {})]
        if missing:
            raise ValueError(f"ensemble needs the outputs of {missing}")
        total = sum(weights.values())
        values = {k: sum(ctx.previous[s].values[k] * (w / total) for s, w in weights.items())
                  for k in ("predicted", "p10", "p50", "p90")}
        parts = "+".join(f"{s}:{ctx.previous[s].model_version}" for s in sorted(weights))
        return Output(values, f"{ctx.prop}_ensemble", f"{version}[{parts}]"[:120], source)
