"""Each processor of the catalogue bound to its compute function, behind one signature:
``compute(inputs, roster, upstream)`` where ``upstream`` holds the frames of the
processors it names as upstream, for the same dates."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from processors import (
    ml_feature_store,
    player_composite_factors,
    player_daily_cache,
    player_shot_zone_analysis,
    team_defense_zone_analysis,
)
from processors.history import Inputs
from shared.catalogue import BY_NAME, PROCESSOR_NAMES

Compute = Callable[[Inputs, pd.DataFrame, Mapping[str, pd.DataFrame]], pd.DataFrame]

COMPUTE: dict[str, Compute] = {
    "team_defense_zone_analysis": lambda inputs, roster, up: team_defense_zone_analysis.compute(inputs),
    "player_shot_zone_analysis": lambda inputs, roster, up: player_shot_zone_analysis.compute(inputs, roster),
    "player_daily_cache": lambda inputs, roster, up: player_daily_cache.compute(inputs, roster),
    "player_composite_factors": lambda inputs, roster, up: player_composite_factors.compute(
        inputs, roster, up["team_defense_zone_analysis"], up["player_shot_zone_analysis"]),
    "ml_feature_store": lambda inputs, roster, up: ml_feature_store.compute(
        inputs, roster, up["player_daily_cache"], up["player_shot_zone_analysis"],
        up["team_defense_zone_analysis"], up["player_composite_factors"]),
}
assert tuple(COMPUTE) == PROCESSOR_NAMES, "every catalogue processor needs its compute function, in order"


def ordered(names: Iterable[str] | None) -> list[str]:
    """The named processors (all when none) in dependency order; unknown names are an error."""
    if not names:
        return list(PROCESSOR_NAMES)
    unknown = sorted(set(names) - set(BY_NAME))
    if unknown:
        raise ValueError(f"unknown processor(s) {unknown}; known: {', '.join(PROCESSOR_NAMES)}")
    return [n for n in PROCESSOR_NAMES if n in set(names)]
