"""The ML feature vector: names in order, where each comes from, how it is computed and
the default used when its input is missing. docs/FEATURES.md is rendered from this list
(a test keeps the two identical)."""
from __future__ import annotations

from dataclasses import dataclass

from shared.props import PROPS, Prop

# the feature store's columns (a date computed under another version is computed again) and the
# models' vector: the store's columns then tonight's availability, computed per batch
STORE_VERSION = "v3"
FEATURE_VERSION = "v4"


@dataclass(frozen=True)
class Feature:
    name: str
    source: str
    formula: str
    default: str          # a number, or the name of another feature (resolved in order)


F = Feature
FEATURES: tuple[Feature, ...] = (
    F("pts_avg_last5", "PDC", "mean points, last 5 games before D (seasons S-1..S)", "pts_ewma"),
    F("pts_avg_last10", "PDC", "mean points, last 10 games", "pts_ewma"),
    F("pts_avg_season", "PDC", "mean points, games of season S before D", "pts_ewma"),
    F("pts_ewma", "PDC", "EWMA of points, half-life 10 games, last 30 games", "0"),
    F("pts_std_last10", "PDC", "sample std of points, last 10 games", "0"),
    F("minutes_avg_last10", "PDC", "mean minutes, last 10 games", "0"),
    F("minutes_avg_season", "PDC", "mean minutes, season S before D", "minutes_avg_last10"),
    F("pts_per_minute_last10", "PDC", "sum points / sum minutes, last 10 games", "0"),
    F("usage_rate_last10", "PDC", "100 * sum(FGA+0.44FTA+TOV) / sum(team FGA+0.44FTA+TOV * MIN/(team MIN/5))",
      "20"),
    F("true_shooting_pct_last10", "PDC", "sum PTS / (2 * sum(FGA + 0.44 FTA)), last 10 games", "0.55"),
    F("games_played_season", "PDC", "games played in season S before D", "0"),
    F("games_last7d", "PDC", "games in the 7 days before D", "0"),
    F("games_last14d", "PDC", "games in the 14 days before D", "0"),
    F("minutes_last7d", "PDC", "minutes in the 7 days before D", "0"),
    F("rest_days", "PDC", "days since his last game, capped at 10", "3"),
    F("is_back_to_back", "PDC", "1 if he played the day before D", "0"),
    F("is_home", "schedule", "1 home, 0 away, 0.5 venue unknown", "0.5"),
    F("fatigue_score", "PCF", "0..100 from rest, back-to-back, minutes and games in the last 7 days", "40"),
    F("shot_zone_mismatch", "PCF", "100 * sum over zones of his points share x opponent's relative points "
      "allowed vs league", "0"),
    F("pace_score", "PCF", "mean of both teams' last-10 pace minus league pace of the 30 days before D", "0"),
    F("usage_spike", "PCF", "usage last 5 games minus season usage (last 20 before his first game of S)", "0"),
    F("rest_advantage", "PCF", "team rest days minus opponent rest days, each capped at 3", "0"),
    F("recent_trend", "MLFS", "pts_avg_last5 - pts_avg_season", "0"),
    F("minutes_change", "MLFS", "minutes_avg_last10 - minutes_avg_season", "0"),
    F("opp_defensive_rating", "TDZA", "opponent's points allowed per 100 possessions, last 15 games", "112"),
    F("opp_pace", "TDZA", "opponent's mean pace, last 15 games", "100"),
    F("opp_two_pts_vs_league", "TDZA", "opponent's two-point points allowed per game minus league", "0"),
    F("opp_three_pts_vs_league", "TDZA", "opponent's three-point points allowed per game minus league", "0"),
    F("opp_free_throw_pts_vs_league", "TDZA", "opponent's free-throw points allowed per game minus league", "0"),
    F("two_pts_share_last10", "PSZA", "share of his points from twos, last 10 games", "0.5"),
    F("three_pts_share_last10", "PSZA", "share of his points from threes, last 10 games", "0.3"),
    F("free_throw_pts_share_last10", "PSZA", "share of his points from free throws, last 10 games", "0.2"),
    F("team_pace_last10", "PDC", "his team's mean pace, last 10 games", "100"),
    F("team_off_rating_last10", "PDC", "his team's points per 100 possessions, last 10 games", "112"),
    F("team_win_pct_season", "MLFS", "his team's wins / games in season S before D", "0.5"),
    F("pts_vs_opp_avg", "MLFS", "mean points against this opponent, seasons S-3..S before D", "pts_ewma"),
    F("games_vs_opp", "MLFS", "games against this opponent, seasons S-3..S before D", "0"),
    F("teammates_out", "MLFS", "rostered teammates who did not play his team's previous game before D", "0"),
    F("teammates_out_pts", "MLFS", "sum of those teammates' points per game, each over his last 10 games", "0"),
    F("teammates_out_minutes", "MLFS", "sum of those teammates' minutes per game, each over his last 10 games",
      "0"),
    F("teammates_out_pts_share", "MLFS", "teammates_out_pts / the same sum over every rostered teammate", "0"),
    F("missed_last_game", "MLFS", "1 if he did not play his team's previous game before D", "0"),
    F("days_into_season", "schedule", "days from the first scheduled game of season S to D", "0"),
    F("road_trip_games", "schedule", "his team's consecutive away games ending with D's (0 at home)", "0"),
    F("time_zones_crossed", "schedule", "time zones between the arena of D's game and of his team's previous "
      "game", "0"),
)


def stat_block(prop: Prop) -> tuple[Feature, ...]:
    """The history features of a prop other than points (points has its own, above)."""
    s, what = prop.stat, prop.name
    return (
        F(f"{s}_ewma", "PDC", f"EWMA of {what}, half-life 10 games, last 30 games", "0"),
        F(f"{s}_avg_last5", "PDC", f"mean {what}, last 5 games", f"{s}_ewma"),
        F(f"{s}_avg_last10", "PDC", f"mean {what}, last 10 games", f"{s}_ewma"),
        F(f"{s}_avg_season", "PDC", f"mean {what}, games of season S before D", f"{s}_ewma"),
        F(f"{s}_std_last10", "PDC", f"sample std of {what}, last 10 games", "0"),
        F(f"{s}_per_minute_last10", "PDC", f"sum {what} / sum minutes, last 10 games", "0"),
        F(f"opp_{s}_allowed_vs_league", "TDZA", f"{what} the opponent allowed per game over its last 15 games, "
          "minus the league's per team-game in the 30 days before D", "0"),
    )


STATS: tuple[str, ...] = tuple(p.stat for p in PROPS if p.stat != "pts")
STAT_FEATURES: tuple[Feature, ...] = tuple(f for p in PROPS if p.stat != "pts" for f in stat_block(p))
STORE_FEATURES: tuple[Feature, ...] = FEATURES + STAT_FEATURES
STORE_NAMES: tuple[str, ...] = tuple(f.name for f in STORE_FEATURES)

# Not stored: the batch computes them (shared/availability.py) from the statuses of its source
# (the injury report when serving; realised absences in training). Unknown (no source): NaN.
_ABSENT = "teammates listed Out or Doubtful tonight"
TONIGHT_FEATURES: tuple[Feature, ...] = (
    F("tonight_teammates_out", "tonight", f"rotation {_ABSENT} (rotation: 15+ minutes a game over his last 10 "
      "games and a game this season; realised: those who did not play D)", "unknown"),
    F("tonight_teammates_out_pts_share", "tonight", "their points per game over their last 10 / the same sum "
      "over his whole team (him included)", "unknown"),
    F("tonight_teammates_out_minutes_share", "tonight", "the same share of minutes per game", "unknown"),
    F("tonight_teammates_out_usage_share", "tonight", "the same share of possessions used per game "
      "(usage_rate_last10 x minutes_avg_last10)", "unknown"),
    F("tonight_own_status", "tonight", "his own status: 0 Available (or not listed), 1 Probable, 2 Questionable, "
      "3 Doubtful", "unknown"),
)
FEATURES = STORE_FEATURES + TONIGHT_FEATURES
NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
TONIGHT_NAMES: tuple[str, ...] = tuple(f.name for f in TONIGHT_FEATURES)
# the vectors a worker serves: a model of the earlier version reads the stored columns only
VECTORS: dict[str, tuple[str, ...]] = {FEATURE_VERSION: NAMES, "v3": STORE_NAMES}


def render_markdown() -> str:
    lines = [f"# ML features, feature version {FEATURE_VERSION} (feature store {STORE_VERSION})", "",
             "Rendered from `shared/features.py`; the models read these columns in this order. All but the "
             "`tonight` ones are columns of `precompute.ml_feature_store`; the `tonight` ones are computed "
             "by each batch from tonight's statuses (shared/availability.py) and unknown (NaN) when its "
             "`availability_source` is `none`.",
             "D is the game date, S its season. Every stored input is a game strictly before D.", "",
             "| # | name | source | formula | default when missing |", "|---|---|---|---|---|"]
    for i, f in enumerate(FEATURES, 1):
        lines.append(f"| {i} | `{f.name}` | {f.source} | {f.formula} | {f.default} |")
    return "\n".join(lines) + "\n"
