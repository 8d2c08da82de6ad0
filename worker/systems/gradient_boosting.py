"""XGBoost and CatBoost models from the registry (or the bundled fallback)."""
from __future__ import annotations

import pandas as pd

from worker.systems.base import Context, Output
from worker.training.metrics import apply_interval


class GradientBoosting:
    def __init__(self, kind: str):
        self.kind = self.name = kind

    def predict(self, rows: pd.DataFrame, ctx: Context) -> Output:
        loaded = ctx.models.get(f"{ctx.prop}_{self.kind}", self.kind)
        center = loaded.model.predict(rows)
        p10, p50, p90 = apply_interval(center, loaded.schema["interval"])
        frame = pd.DataFrame({"predicted": center.clip(min=0), "p10": p10, "p50": p50, "p90": p90}, index=rows.index)
        return Output(frame, loaded.name, loaded.version, loaded.source)
