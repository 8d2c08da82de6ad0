"""The player against what the opponent allows, scaled by pace: for points his scoring mix
against the opponent's zone defence; for other props what the opponent allowed of that
stat against the league, as a share of a team's usual total."""
from __future__ import annotations

from shared.props import PROP_BY_NAME
from worker.systems.base import Context, Output, col, normal_interval, spread, stat


class ZoneMatchup:
    name = "zone_matchup"

    def predict(self, rows, ctx: Context) -> Output:
        s = stat(ctx)
        pace = col(rows, "pace_score") / 100
        if s == "pts":
            matchup = 0.5 * col(rows, "shot_zone_mismatch") / 100      # relative, per point scored
        else:
            matchup = 0.5 * col(rows, f"opp_{s}_allowed_vs_league") / PROP_BY_NAME[ctx.prop].team_per_game
        center = col(rows, f"{s}_ewma") * (1 + matchup) * (1 + pace)
        return Output(normal_interval(center, spread(rows, center, s)), "zone_matchup", "rule-v1", "rule")
