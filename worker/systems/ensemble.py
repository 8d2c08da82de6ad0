"""A weighted blend of the other systems' outputs. The weights were fitted on validation
data (modeling/ensemble.py) and ship in shared/models/bundled/{prop}_ensemble/weights.json."""
from __future__ import annotations

import json
from pathlib import Path

from shared.models import BUNDLED
from worker.systems.base import Context, Output


def load_weights(prop: str, root: Path = BUNDLED) -> dict:
    path = root / f"{prop}_ensemble" / "weights.json"
    return json.loads(path.read_text())


class Ensemble:
    name = "ensemble"

    def __init__(self, root: Path = BUNDLED):
        self.root = root
        self._weights: dict[str, dict] = {}

    def predict(self, rows, ctx: Context) -> Output:
        doc = self._weights.get(ctx.prop) or self._weights.setdefault(ctx.prop, load_weights(ctx.prop, self.root))
        weights = {s: w for s, w in doc["weights"].items() if w > 0}
        missing = [s for s in weights if s not in (ctx.previous or {})]
        if missing:
            raise ValueError(f"ensemble needs the outputs of {missing}")
        total = sum(weights.values())
        values = {k: sum(ctx.previous[s].values[k] * (w / total) for s, w in weights.items())
                  for k in ("predicted", "p10", "p50", "p90")}
        parts = "+".join(f"{s}:{ctx.previous[s].model_version}" for s in sorted(weights))
        return Output(values, f"{ctx.prop}_ensemble", f"{doc['version']}[{parts}]"[:120], "bundled")
