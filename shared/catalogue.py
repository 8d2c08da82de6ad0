"""The lists every layer reads, declared once: processors, prediction systems and props.
Adding one is an entry here plus its code (a processor's compute function is bound in
processors/registry.py, a system's class in worker/systems/__init__.py)."""
from __future__ import annotations

from dataclasses import dataclass

from shared import tables
from shared.props import (  # noqa: F401  (the catalogue's props, declared there)
    BOX_SCORE_COLUMNS,
    PROP_BY_NAME,
    PROP_NAMES,
    PROPS,
    Prop,
)


@dataclass(frozen=True)
class Processor:
    name: str
    table: tables.Table
    entity: str                       # the column that identifies a row within a date
    upstream: tuple[str, ...] = ()    # processors whose output it reads for the same dates


# dependency order: every processor comes after its upstream
PROCESSORS: tuple[Processor, ...] = (
    Processor("team_defense_zone_analysis", tables.TEAM_DEFENSE_ZONE_ANALYSIS, "team_abbr"),
    Processor("player_shot_zone_analysis", tables.PLAYER_SHOT_ZONE_ANALYSIS, "player_id"),
    Processor("player_daily_cache", tables.PLAYER_DAILY_CACHE, "player_id"),
    Processor("player_composite_factors", tables.PLAYER_COMPOSITE_FACTORS, "player_id",
              ("team_defense_zone_analysis", "player_shot_zone_analysis")),
    Processor("ml_feature_store", tables.ML_FEATURE_STORE, "player_id",
              ("team_defense_zone_analysis", "player_shot_zone_analysis", "player_daily_cache",
               "player_composite_factors")),
)
PROCESSOR_NAMES: tuple[str, ...] = tuple(p.name for p in PROCESSORS)
BY_NAME: dict[str, Processor] = {p.name: p for p in PROCESSORS}
# a processor run with one of these statuses is done for its date (no_data: nothing to compute)
RUN_DONE: tuple[str, ...] = ("success", "partial", "no_data")
# the deadline quorum: with these two a batch can run degraded
QUORUM: tuple[str, ...] = ("player_daily_cache", "ml_feature_store")


@dataclass(frozen=True)
class System:
    name: str
    kind: str          # rule: formulas over features; ml: a trained model per prop; blend: of other systems


# run order: a blend comes after what it blends
SYSTEMS: tuple[System, ...] = (
    System("moving_average", "rule"),
    System("zone_matchup", "rule"),
    System("similarity", "rule"),
    System("xgboost", "ml"),
    System("catboost", "ml"),
    System("ensemble", "blend"),
)
SYSTEM_NAMES: tuple[str, ...] = tuple(s.name for s in SYSTEMS)
ML_SYSTEMS: tuple[str, ...] = tuple(s.name for s in SYSTEMS if s.kind == "ml")
BLEND_SYSTEMS: tuple[str, ...] = tuple(s.name for s in SYSTEMS if s.kind == "blend")
# the registry's trained models, one per prop and ML system, and the blends' weights, one per prop:
# what `train` registers and `promote` moves
MODEL_NAMES: tuple[str, ...] = tuple(f"{p}_{s}" for p in PROP_NAMES for s in ML_SYSTEMS)
WEIGHTS_NAMES: tuple[str, ...] = tuple(f"{p}_{s}" for p in PROP_NAMES for s in BLEND_SYSTEMS)

# Feature drift alerts on these player-level features only: a day has hundreds of distinct values
# of each. Date- and team-level features (days into the season, opponent pace) take one to ~20
# values a day, which inflates their one-day PSI far past the threshold; they are measured and
# shown, never alerted.
DRIFT_KEY_FEATURES: tuple[str, ...] = ("pts_ewma", "pts_avg_last10", "minutes_avg_last10", "usage_rate_last10")
PSI_ALERT = 0.25




@dataclass(frozen=True)
class Alert:
    name: str              # the `alert` field of the ERROR log line that raises it
    summary: str


ALERTS: tuple[Alert, ...] = (
    Alert("phase4_no_completions", "no processor reported for a scheduled date by the deadline"),
    Alert("phase4_incomplete", "processors incomplete by the deadline; no quorum to start a degraded batch"),
    Alert("orchestrator_start_failed", "the orchestrator could not start the coordinator's batch"),
    Alert("orchestrator_start_refused", "the coordinator refused a batch the orchestrator asked for (4xx)"),
    Alert("batch_incomplete", "a batch finished with players missing"),
    Alert("batch_coverage_low", "a batch predicted too few of its players"),
    Alert("staging_foreign_rows", "staged rows not for their batch's date and players were refused"),
    Alert("model_fallback", "the model registry is unusable; a worker serves the bundled model"),
    Alert("feature_drift", "a key feature's PSI passed the threshold"),
    Alert("accuracy_degraded", "a system's 14-day MAE is 10% above its validation MAE"),
    Alert("auth_disabled", "a service runs with authentication off"),
)

# a predicted player has one row per system and prop (shadow rows aside)
ROWS_PER_PLAYER: int = len(SYSTEM_NAMES) * len(PROP_NAMES)
