"""Canonical player-game frame -> the three analytics tables."""
from __future__ import annotations

import numpy as np
import pandas as pd

TEAM_SUMS = ["pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast", "tov", "minutes"]
OPP = ["pts", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "tov"]


def player_game_summary(players: pd.DataFrame) -> pd.DataFrame:
    return players.drop(columns=["line"])


def team_game_summary(players: pd.DataFrame) -> pd.DataFrame:
    played = players[players["played"]]
    keys = ["game_id", "team_abbr"]
    first = played.groupby(keys, sort=False)[["game_date", "season", "season_type", "team_id", "opponent_abbr",
                                              "is_home", "win"]].first()
    sums = played.groupby(keys, sort=False)[TEAM_SUMS].sum()
    teams = first.join(sums).reset_index()
    opp = teams[["game_id", "team_abbr", *OPP]].rename(
        columns={"team_abbr": "opponent_abbr", **{c: f"opp_{c}" for c in OPP}})
    teams = teams.merge(opp, on=["game_id", "opponent_abbr"], how="left")
    own = teams["fga"] - teams["oreb"] + teams["tov"] + 0.44 * teams["fta"]
    their = teams["opp_fga"] - teams["opp_oreb"] + teams["opp_tov"] + 0.44 * teams["opp_fta"]
    teams["possessions"] = np.where(their.notna(), (own + their) / 2, own)
    game_minutes = (teams["minutes"] / 5).clip(lower=48)
    teams["pace"] = teams["possessions"] * 48 / game_minutes
    teams["offensive_rating"] = 100 * teams["pts"] / teams["possessions"]
    teams["defensive_rating"] = 100 * teams["opp_pts"] / teams["possessions"]
    teams["overtimes"] = ((game_minutes - 48) / 5).round().clip(lower=0).astype("Int64")
    return teams


def schedule(players: pd.DataFrame, scheduled: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per game played, status final. A game the schedule already holds keeps what
    only the schedule knows (venue, tip-off, neutral site, arena, label) when it names the
    same two teams; the date is the one the box scores say it was played on."""
    teams = players.drop_duplicates(["game_id", "team_abbr"])[
        ["game_id", "game_date", "season", "season_type", "team_abbr", "team_id", "is_home"]]
    venue_known = teams["is_home"].notna()
    # without a venue (playoff layout) the teams are ordered by abbreviation, flagged unknown
    order = np.where(venue_known, ~teams["is_home"].fillna(False).astype(bool), teams["team_abbr"].rank(method="dense"))
    teams = teams.assign(_order=order.astype(float), _known=venue_known).sort_values(["game_id", "_order"])
    g = teams.groupby("game_id", sort=False)
    home, away = g.nth(0).set_index("game_id"), g.nth(1).set_index("game_id")
    out = home[["game_date", "season", "season_type"]].copy()
    out["home_team_abbr"] = home["team_abbr"]
    out["home_team_id"] = home["team_id"]
    out["away_team_abbr"] = away["team_abbr"].reindex(out.index)
    out["away_team_id"] = away["team_id"].reindex(out.index)
    out["venue_known"] = home["_known"].astype(bool)
    out = out.assign(tipoff_utc=pd.Series(pd.NaT, index=out.index, dtype="datetime64[us, UTC]"), neutral=False,
                     status="final", arena=None, game_label=None, source="box_scores").astype(
                         {"arena": object, "game_label": object, "source": object, "neutral": object})
    if scheduled is not None and len(scheduled):
        known = scheduled.set_index("game_id").reindex(out.index)
        # a game the schedule does not hold has no names to order (NA): compare it as empty
        k_home, k_away = known["home_team_abbr"].fillna(""), known["away_team_abbr"].fillna("")
        b_home, b_away = out["home_team_abbr"].fillna(""), out["away_team_abbr"].fillna("")
        same = (known["home_team_abbr"].notna()
                & (np.minimum(k_home, k_away) == np.minimum(b_home, b_away))
                & (np.maximum(k_home, k_away) == np.maximum(b_home, b_away)))
        keep = ["home_team_abbr", "home_team_id", "away_team_abbr", "away_team_id", "tipoff_utc", "neutral", "arena",
                "game_label", "source"]
        out.loc[same, keep] = known.loc[same, keep]
        out.loc[same, "venue_known"] = True
    return out.reset_index()
