"""Tonight's availability columns on a hand-made night: counts and shares by hand."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from shared.availability import COLUMNS, realised, tonight

# team A: a star, a starter, a bench player (under 15 minutes) and a rotation player with no game
# this season (a roster carried over the summer); team B: two players
ROWS = pd.DataFrame({
    "player_id": [1, 2, 3, 4, 5, 6],
    "team_abbr": ["A", "A", "A", "A", "B", "B"],
    "pts_avg_last10": [30.0, 10.0, 4.0, 6.0, 12.0, 8.0],
    "minutes_avg_last10": [36.0, 24.0, 10.0, 20.0, 30.0, 30.0],
    "usage_rate_last10": [30.0, 20.0, 15.0, 10.0, 20.0, 20.0],
    "games_played_season": [30, 30, 30, 0, 30, 30],
})


def test_counts_and_shares_of_the_teammates_listed_out_or_doubtful():
    got = tonight(ROWS, {1: "Out", 3: "Out", 4: "Out", 2: "Questionable", 6: "Doubtful", 5: "Probable"})
    assert list(got.columns) == list(COLUMNS) and list(got.index) == [1, 2, 3, 4, 5, 6]
    # player 2: only the star counts (3 is not in the rotation, 4 has not played this season)
    assert got.loc[2, "tonight_teammates_out"] == 1
    assert got.loc[2, "tonight_teammates_out_pts_share"] == pytest.approx(30 / 50)
    assert got.loc[2, "tonight_teammates_out_minutes_share"] == pytest.approx(36 / 90)
    usage = {1: 30 * 36, 2: 20 * 24, 3: 15 * 10, 4: 10 * 20}
    assert got.loc[2, "tonight_teammates_out_usage_share"] == pytest.approx(usage[1] / sum(usage.values()))
    assert got.loc[3, "tonight_teammates_out"] == 1 and got.loc[1, "tonight_teammates_out"] == 0   # not himself
    assert got.loc[5, "tonight_teammates_out"] == 1 and got.loc[5, "tonight_teammates_out_pts_share"] == 0.4
    assert got.loc[6, "tonight_teammates_out"] == 0
    own = got["tonight_own_status"].to_dict()
    assert (own[2], own[5], own[6]) == (2, 1, 3)


def test_a_player_not_listed_is_available_and_no_statuses_is_unknown():
    nobody = tonight(ROWS, {})
    assert (nobody[["tonight_teammates_out", "tonight_own_status"]] == 0).all().all()
    unknown = tonight(ROWS, None)
    assert unknown.shape == (6, len(COLUMNS)) and unknown.isna().all().all()


def test_realised_marks_rotation_players_out_who_did_not_play_a_game_their_team_played():
    rows = ROWS.assign(game_date=pd.Timestamp("2024-01-15"))
    box = pd.DataFrame({"game_date": pd.Timestamp("2024-01-15"), "player_id": [2, 3, 4],
                        "team_abbr": "A", "played": [True, False, False]})
    got = dict(zip(rows["player_id"], realised(rows, box), strict=True))
    # 1 did not play (Out); 3 is not in the rotation; 4 has no game this season; team B has no box score
    assert got == {1: "Out", 2: "Available", 3: "Available", 4: "Available", 5: "Available", 6: "Available"}
    assert not math.isnan(tonight(rows, got).loc[2, "tonight_teammates_out_pts_share"])
