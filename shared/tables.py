"""Every warehouse table, declared once: dataset, ordered columns with BigQuery types,
date partition column and natural key. Both warehouse adapters and the deploy script
read this catalogue; processors add their own tables through ``register``."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from shared.distribution import COLUMNS as QUANTILE_COLUMNS

TYPES = ("STRING", "INT64", "FLOAT64", "BOOL", "DATE", "TIMESTAMP")


@dataclass(frozen=True)
class Table:
    dataset: str
    name: str
    columns: tuple[tuple[str, str], ...]
    partition: str | None
    key: tuple[str, ...]
    required: tuple[str, ...] = field(default=())
    # BigQuery refuses any query on such a table without a constant filter on its partition column
    partition_filter_required: bool = False
    # column -> SQL literal that rows written before the column existed get when it is added
    backfill: tuple[tuple[str, str], ...] = ()

    @property
    def fqn(self) -> str:
        return f"{self.dataset}.{self.name}"

    @property
    def partition_column(self) -> str:
        """The partition column, for a read or write by date range (a table without one has none)."""
        if self.partition is None:
            raise ValueError(f"{self.fqn} has no partition column to filter or replace by")
        return self.partition

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]

    def type_of(self, column: str) -> str:
        return dict(self.columns)[column]


CATALOG: dict[str, Table] = {}
EVERY_DATE = (date(1946, 11, 1), date(2200, 1, 1))   # a constant range for reading a filtered table whole


def register(dataset: str, name: str, columns: list[tuple[str, str]] | str,
             partition: str | None, key: tuple[str, ...], required: tuple[str, ...] = (),
             partition_filter_required: bool = False, backfill: tuple[tuple[str, str], ...] = ()) -> Table:
    if isinstance(columns, str):
        columns = [(col, typ) for col, typ in (part.split() for part in columns.split(",") if part.strip())]
    for col, typ in columns:
        if typ not in TYPES:
            raise ValueError(f"table {dataset}.{name}: column {col} has unknown type {typ}")
    table = Table(dataset, name, tuple(columns), partition, key, required, partition_filter_required, backfill)
    CATALOG[table.fqn] = table
    return table


def get(fqn: str) -> Table:
    try:
        return CATALOG[fqn]
    except KeyError:
        raise KeyError(f"unknown table {fqn!r}; known: {', '.join(sorted(CATALOG))}") from None


def conform(table: Table, frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Order and type a frame as the table declares; a missing column is an error.

    Both warehouse adapters pass what they write and what they read through this, so a
    frame has the same dtypes whichever backend produced it."""
    wanted = columns or table.column_names
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ValueError(f"{table.fqn}: frame lacks columns {missing}")
    frame = frame.reset_index(drop=True)
    out = {}
    for col in wanted:
        typ = table.type_of(col)
        s = frame[col]
        if typ == "STRING":
            out[col] = s.astype("string")
        elif typ == "INT64":
            out[col] = pd.to_numeric(s).astype("Int64")
        elif typ == "FLOAT64":
            out[col] = pd.to_numeric(s).astype("float64")
        elif typ == "BOOL":
            out[col] = s.astype("boolean")
        elif typ == "DATE":
            out[col] = pd.to_datetime(s.astype("object") if s.dtype.name == "dbdate" else s)\
                .dt.normalize().astype("datetime64[us]")
        else:
            out[col] = pd.to_datetime(s, utc=True).astype("datetime64[us, UTC]")
    return pd.DataFrame(out, index=frame.index)


def check_filtered_read(table: Table, start, end) -> None:
    """Both adapters refuse what BigQuery refuses: an unbounded read of a table that requires
    a partition filter."""
    if table.partition_filter_required and (start is None or end is None):
        raise ValueError(f"{table.fqn} requires a partition filter: read it with a {table.partition} range")


def check_partition_range(table: Table, frame: pd.DataFrame | None, start, end) -> None:
    """A partition replace may only write rows inside the range it replaces."""
    if frame is None or not len(frame):
        return
    dates = pd.to_datetime(frame[table.partition]).dt.date
    outside = int(((dates < start) | (dates > end)).sum())
    if outside:
        raise ValueError(f"{table.fqn}: {outside} rows fall outside {start}..{end}")


PLAYER_STATS = "minutes FLOAT64, pts INT64, fgm INT64, fga INT64, fg3m INT64, fg3a INT64, ftm INT64, fta INT64, " \
               "oreb INT64, dreb INT64, reb INT64, ast INT64, stl INT64, blk INT64, tov INT64, pf INT64, " \
               "plus_minus FLOAT64"

PLAYER_GAME_SUMMARY = register(
    "analytics", "player_game_summary",
    "game_id STRING, game_date DATE, season STRING, season_type STRING, player_id INT64, player_name STRING, "
    "team_id INT64, team_abbr STRING, opponent_abbr STRING, is_home BOOL, win BOOL, played BOOL, "
    "dnp_reason STRING, " + PLAYER_STATS + ", source_file STRING",
    partition="game_date", key=("game_id", "player_id"),
    required=("game_id", "game_date", "player_id", "team_abbr", "played"),
)

TEAM_STATS = "pts INT64, fgm INT64, fga INT64, fg3m INT64, fg3a INT64, ftm INT64, fta INT64, oreb INT64, " \
             "dreb INT64, reb INT64, ast INT64, tov INT64, minutes FLOAT64"

TEAM_GAME_SUMMARY = register(
    "analytics", "team_game_summary",
    "game_id STRING, game_date DATE, season STRING, season_type STRING, team_id INT64, team_abbr STRING, "
    "opponent_abbr STRING, is_home BOOL, win BOOL, " + TEAM_STATS + ", "
    "opp_pts INT64, opp_fgm INT64, opp_fga INT64, opp_fg3m INT64, opp_fg3a INT64, opp_ftm INT64, opp_fta INT64, "
    "opp_oreb INT64, opp_dreb INT64, opp_tov INT64, possessions FLOAT64, pace FLOAT64, "
    "offensive_rating FLOAT64, defensive_rating FLOAT64, overtimes INT64",
    partition="game_date", key=("game_id", "team_abbr"),
    required=("game_id", "game_date", "team_abbr", "opponent_abbr"),
)

SCHEDULE = register(
    "analytics", "schedule",
    "game_id STRING, game_date DATE, season STRING, season_type STRING, home_team_abbr STRING, "
    "away_team_abbr STRING, home_team_id INT64, away_team_id INT64, venue_known BOOL, "
    "tipoff_utc TIMESTAMP, neutral BOOL, status STRING, arena STRING, game_label STRING, source STRING",
    partition="game_date", key=("game_id",),
    required=("game_id", "game_date", "home_team_abbr", "away_team_abbr"),
)
SCHEDULE_STATUSES = ("scheduled", "final", "postponed")

INJURY_REPORT = register(
    "analytics", "injury_report",
    "game_date DATE, as_of TIMESTAMP, team_abbr STRING, player_name STRING, player_id INT64, status STRING, "
    "reason STRING, source_file STRING",
    partition="game_date", key=("game_date", "as_of", "team_abbr", "player_name"),
    required=("game_date", "as_of", "team_abbr", "player_name", "status"),
)
INJURY_STATUSES = ("Out", "Doubtful", "Questionable", "Probable", "Available")

PROP_LINES = register(
    "analytics", "prop_lines",
    "game_date DATE, as_of TIMESTAMP, book STRING, prop STRING, player_name STRING, player_id INT64, "
    "team_abbr STRING, line FLOAT64, over_price FLOAT64, under_price FLOAT64, source_file STRING",
    partition="game_date", key=("game_date", "as_of", "book", "prop", "player_name", "team_abbr"),
    required=("game_date", "as_of", "book", "prop", "player_name", "line"),
)


# -- Phase 4 precompute tables ----------------------------------------------------------------
from shared.features import STAT_FEATURES as _STAT_FEATURES  # noqa: E402
from shared.features import STATS as _STATS  # noqa: E402
from shared.features import STORE_NAMES as _FEATURES  # noqa: E402

_TDZA_METRICS = ["opp_fg2_pct", "opp_fg3_pct", "opp_fg2a_per_game", "opp_fg3a_per_game", "opp_fta_per_game",
                 "opp_two_pts_per_game", "opp_three_pts_per_game", "opp_free_throw_pts_per_game", "ft_rate_allowed",
                 *(f"opp_{s}_allowed" for s in _STATS)]


def _floats(names) -> list[tuple[str, str]]:
    return [(n, "FLOAT64") for n in names]


TEAM_DEFENSE_ZONE_ANALYSIS = register(
    "precompute", "team_defense_zone_analysis",
    [("analysis_date", "DATE"), ("team_abbr", "STRING"), ("opponent_abbr", "STRING"),
     ("games_in_window", "FLOAT64")]
    + [c for m in _TDZA_METRICS for c in ((m, "FLOAT64"), (f"{m}_vs_league", "FLOAT64"))]
    + _floats(["defensive_rating", "opponent_pace", "league_games_in_window"])
    + [("strongest_zone", "STRING"), ("weakest_zone", "STRING")],
    partition="analysis_date", key=("analysis_date", "team_abbr"),
    required=("analysis_date", "team_abbr", "games_in_window", "defensive_rating", "opponent_pace"),
)

_PSZA_WINDOWED = ["games_last{w}", "two_pts_share_last{w}", "three_pts_share_last{w}",
                  "free_throw_pts_share_last{w}", "fg2a_share_last{w}", "fg3a_share_last{w}", "ft_rate_last{w}",
                  "fg2_pct_last{w}", "fg3_pct_last{w}", "ft_pct_last{w}"]
PLAYER_SHOT_ZONE_ANALYSIS = register(
    "precompute", "player_shot_zone_analysis",
    [("analysis_date", "DATE"), ("player_id", "INT64"), ("team_abbr", "STRING")]
    + _floats([c.format(w=w) for w in (10, 20) for c in _PSZA_WINDOWED]) + [("primary_zone", "STRING")],
    partition="analysis_date", key=("analysis_date", "player_id"),
    required=("analysis_date", "player_id", "team_abbr", "games_last10"),
)

PLAYER_DAILY_CACHE = register(
    "precompute", "player_daily_cache",
    [("cache_date", "DATE"), ("player_id", "INT64"), ("player_name", "STRING"), ("team_abbr", "STRING")]
    + _floats(["pts_avg_last5", "pts_avg_last10", "pts_avg_season", "pts_ewma", "pts_std_last10",
               "minutes_avg_last10", "minutes_avg_season", "pts_per_minute_last10", "usage_rate_last10",
               "true_shooting_pct_last10", *(f.name for f in _STAT_FEATURES if f.source == "PDC"),
               "games_played_season",
               "games_in_window", "games_last7d", "minutes_last7d", "games_last14d", "minutes_last14d",
               "back_to_backs_last14d", "rest_days"])
    + [("is_back_to_back", "BOOL")] + _floats(["team_pace_last10", "team_off_rating_last10"])
    + [("has_5_games", "BOOL"), ("has_10_games", "BOOL"), ("has_10_season_games", "BOOL")],
    partition="cache_date", key=("cache_date", "player_id"),
    required=("cache_date", "player_id", "team_abbr", "pts_avg_last10", "pts_ewma", "minutes_avg_last10",
              "rest_days"),
)

PLAYER_COMPOSITE_FACTORS = register(
    "precompute", "player_composite_factors",
    [("game_date", "DATE"), ("player_id", "INT64"), ("team_abbr", "STRING"), ("opponent_abbr", "STRING")]
    + _floats(["fatigue_score", "shot_zone_mismatch", "pace_score", "usage_spike", "rest_advantage",
               "rest_days"]) + [("is_back_to_back", "BOOL")],
    partition="game_date", key=("game_date", "player_id"),
    required=("game_date", "player_id", "team_abbr", "opponent_abbr", "fatigue_score"),
)

ML_FEATURE_STORE = register(
    "precompute", "ml_feature_store",
    [("game_date", "DATE"), ("player_id", "INT64"), ("player_name", "STRING"), ("team_abbr", "STRING"),
     ("opponent_abbr", "STRING"), ("game_id", "STRING"), ("feature_version", "STRING")]
    + _floats(_FEATURES) + [("quality_score", "FLOAT64"), ("missing_inputs", "STRING"),
                            ("missing_features", "STRING")],
    partition="game_date", key=("game_date", "player_id"),
    required=("game_date", "player_id", "team_abbr", "opponent_abbr", "feature_version", *_FEATURES,
              "quality_score"),
)

PROCESSOR_RUNS = register(
    "precompute", "processor_runs",
    "processor STRING, game_date DATE, run_id STRING, mode STRING, status STRING, rows INT64, "
    "rows_rejected INT64, started_at TIMESTAMP, finished_at TIMESTAMP, error STRING, correlation_id STRING",
    partition="game_date", key=("processor", "game_date"),
    required=("processor", "game_date", "run_id", "status"),
)

PROCESSOR_REJECTS = register(
    "precompute", "processor_rejects",
    "processor STRING, game_date DATE, entity STRING, reason STRING, run_id STRING",
    partition="game_date", key=("processor", "game_date", "entity", "reason"),
)


# -- predictions ---------------------------------------------------------------------------------
_PREDICTION_COLUMNS = (
    "game_date DATE, player_id INT64, player_name STRING, team_abbr STRING, opponent_abbr STRING, "
    "system STRING, prop STRING, predicted FLOAT64, p10 FLOAT64, p50 FLOAT64, p90 FLOAT64, confidence FLOAT64, "
    "line FLOAT64, p_over FLOAT64, edge FLOAT64, recommendation STRING, model_name STRING, "
    "model_version STRING, model_source STRING, feature_version STRING, batch_id STRING, "
    "correlation_id STRING, created_at TIMESTAMP, shadow BOOL, line_book STRING, market_p_over FLOAT64, "
    "availability STRING, availability_source STRING, prediction_version INT64, parent_batch_id STRING, "
    "version_reason STRING, withdrawn_reason STRING, line_as_of TIMESTAMP, repriced_at TIMESTAMP, "
    "predicted_as_of TIMESTAMP, "
    + ", ".join(f"{c} FLOAT64" for c in QUANTILE_COLUMNS))
# a superseding batch (news before tip) writes the next prediction_version beside the old rows
PREDICTION_KEY = ("game_date", "player_id", "system", "prop", "model_version", "prediction_version")
# stamped by the coordinator from the batch document when it consolidates (the worker leaves them
# empty), or set on stored rows by a withdrawal or a re-pricing; predicted_as_of is the moment whose
# inputs the batch read (its start, or the refresh's `at`), which grading compares with tip-off
BATCH_STAMPED = ("prediction_version", "parent_batch_id", "version_reason", "withdrawn_reason", "line_as_of",
                 "repriced_at", "predicted_as_of")

PREDICTIONS = register("predictions", "player_prop_predictions", _PREDICTION_COLUMNS,
                       partition="game_date", key=PREDICTION_KEY,
                       required=("game_date", "player_id", "system", "prop", "predicted", "batch_id"),
                       partition_filter_required=True, backfill=(("prediction_version", "1"),))
# what consumers get (the CSV export and the read API): these columns first, then the rest
EXPORT_COLUMNS = ("game_date", "player_id", "player_name", "system", "prop", "predicted", "p10", "p50", "p90",
                  "model_name", "model_version", "model_source", "batch_id",
                  "line", "line_book", "p_over", "market_p_over", "edge", "recommendation", "availability",
                  "prediction_version", "version_reason", "withdrawn_reason", "line_as_of",
                  *QUANTILE_COLUMNS)


def exported(frame: pd.DataFrame) -> pd.DataFrame:
    """Prediction rows as consumers see them: challengers' shadow rows left out, leading
    columns first."""
    frame = frame[~frame["shadow"].fillna(False).astype(bool)]
    return frame[[*EXPORT_COLUMNS, *(c for c in frame.columns if c not in EXPORT_COLUMNS)]]


# -- grading ---------------------------------------------------------------------------------------
PREDICTION_ACCURACY = register(
    "predictions", "prediction_accuracy",
    "game_date DATE, player_id INT64, system STRING, prop STRING, model_version STRING, batch_id STRING, "
    "predicted FLOAT64, actual FLOAT64, error FLOAT64, abs_error FLOAT64, p10 FLOAT64, p90 FLOAT64, "
    "inside_interval BOOL, line FLOAT64, recommendation STRING, call_hit BOOL, minutes FLOAT64, "
    "graded_at TIMESTAMP, shadow BOOL, prediction_version INT64",
    partition="game_date", key=("game_date", "player_id", "system", "prop", "model_version"),
    required=("game_date", "player_id", "system", "prop", "predicted", "actual"),
    backfill=(("prediction_version", "1"),),
)
DAILY_ACCURACY = register(
    "predictions", "daily_accuracy",
    "game_date DATE, system STRING, prop STRING, n INT64, mae FLOAT64, rmse FLOAT64, bias FLOAT64, "
    "interval_coverage FLOAT64, within_3 FLOAT64, within_5 FLOAT64, calls INT64, calls_hit INT64",
    partition="game_date", key=("game_date", "system", "prop"),
)

FEATURE_DRIFT = register(
    "predictions", "feature_drift",
    "game_date DATE, feature STRING, psi FLOAT64, rows INT64, reference_model STRING, reference_version STRING",
    partition="game_date", key=("game_date", "feature"),
)
