"""The player's scoring mix against the opponent's zone defence, scaled by pace."""
from __future__ import annotations

from worker.systems.base import Context, Output, normal_interval, spread


class ZoneMatchup:
    name = "zone_matchup"

    def predict(self, rows, ctx: Context) -> Output:
        base = rows["pts_ewma"].to_numpy(dtype=float)
        mismatch = rows["shot_zone_mismatch"].to_numpy(dtype=float) / 100      # relative, per point scored
        pace = rows["pace_score"].to_numpy(dtype=float) / 100
        center = base * (1 + 0.5 * mismatch) * (1 + pace)
        frame = normal_interval(center, spread(rows, center))
        frame.index = rows.index
        return Output(frame, "zone_matchup", "rule-v1", "rule")
