"""The player's scoring mix against the opponent's zone defence, scaled by pace."""
from __future__ import annotations

from worker.systems.base import Context, Output, col, normal_interval, spread


class ZoneMatchup:
    name = "zone_matchup"

    def predict(self, rows, ctx: Context) -> Output:
        mismatch = col(rows, "shot_zone_mismatch") / 100      # relative, per point scored
        pace = col(rows, "pace_score") / 100
        center = col(rows, "pts_ewma") * (1 + 0.5 * mismatch) * (1 + pace)
        return Output(normal_interval(center, spread(rows, center)), "zone_matchup", "rule-v1", "rule")
