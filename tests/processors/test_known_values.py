"""Features for a real player, team and date, computed by hand from the raw CSV with the
csv module (independent of the processor code)."""
from __future__ import annotations

import csv
import gzip
from datetime import date

import pytest

from processors.runner import nightly
from tests.conftest import SAMPLE

DAY = "2024-01-15"


@pytest.fixture(scope="module")
def raw_rows():
    with gzip.open(SAMPLE, "rt") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def computed(sample_db, tmp_path_factory):
    import shutil

    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    path = tmp_path_factory.mktemp("known") / "w.duckdb"
    shutil.copy(sample_db, path)
    wh = DuckDBWarehouse(path)
    nightly(wh, None, date(2024, 1, 15))
    out = {t: wh.read(f"precompute.{t}", date(2024, 1, 15), date(2024, 1, 15))
           for t in ("player_daily_cache", "player_shot_zone_analysis", "team_defense_zone_analysis",
                     "ml_feature_store")}
    wh.close()
    return out


def test_lebron_points_form_and_rest(raw_rows, computed):
    games = sorted((r for r in raw_rows if r["PLAYER_ID"] == "2544" and r["GAME_DATE"] < DAY),
                   key=lambda r: r["GAME_DATE"])
    pts = [int(r["PTS"]) for r in games]
    row = computed["player_daily_cache"].set_index("player_id").loc[2544]
    assert row["pts_avg_last5"] == pytest.approx(sum(pts[-5:]) / 5)
    assert row["pts_avg_last10"] == pytest.approx(sum(pts[-10:]) / 10)
    assert row["pts_avg_season"] == pytest.approx(sum(pts) / len(pts))
    assert row["games_played_season"] == len(pts)
    last = date.fromisoformat(games[-1]["GAME_DATE"])
    assert row["rest_days"] == (date(2024, 1, 15) - last).days
    week = [r for r in games if "2024-01-08" <= r["GAME_DATE"] < DAY]
    assert row["games_last7d"] == len(week)
    assert row["minutes_last7d"] == sum(int(r["MIN"]) for r in week)


def test_lebron_three_point_share(raw_rows, computed):
    games = sorted((r for r in raw_rows if r["PLAYER_ID"] == "2544" and r["GAME_DATE"] < DAY),
                   key=lambda r: r["GAME_DATE"])[-10:]
    threes = sum(3 * int(r["FG3M"]) for r in games)
    total = sum(int(r["PTS"]) for r in games)
    row = computed["player_shot_zone_analysis"].set_index("player_id").loc[2544]
    assert row["three_pts_share_last10"] == pytest.approx(threes / total)


def test_celtics_three_point_defence_last_15(raw_rows, computed):
    bos_games = sorted({r["GAME_ID"]: r["GAME_DATE"] for r in raw_rows
                        if r["TEAM_ABBREVIATION"] == "BOS" and r["GAME_DATE"] < DAY}.items(),
                       key=lambda kv: kv[1])[-15:]
    ids = {g for g, _ in bos_games}
    opp = [r for r in raw_rows if r["GAME_ID"] in ids and r["TEAM_ABBREVIATION"] != "BOS"]
    made, att = sum(int(r["FG3M"]) for r in opp), sum(int(r["FG3A"]) for r in opp)
    row = computed["team_defense_zone_analysis"].set_index("team_abbr").loc["BOS"]
    assert row["games_in_window"] == 15
    assert row["opp_fg3_pct"] == pytest.approx(made / att)


def test_feature_store_rows_are_complete_vectors(computed):
    from shared.features import STORE_NAMES as NAMES
    from shared.features import STORE_VERSION as FEATURE_VERSION

    mlfs = computed["ml_feature_store"]
    assert len(NAMES) >= 25 and len(mlfs) > 300
    assert not mlfs[list(NAMES)].isna().any().any()
    assert mlfs["quality_score"].between(0, 1).all() and (mlfs["feature_version"] == FEATURE_VERSION).all()
    lebron = mlfs.set_index("player_id").loc[2544]
    assert (lebron["team_abbr"], lebron["opponent_abbr"]) == ("LAL", "OKC")


def _last10_ppg(raw_rows) -> dict[str, float]:
    """Each player's points per game over his last 10 games before D, from the CSV rows."""
    games: dict[str, list[dict]] = {}
    for r in raw_rows:
        if r["GAME_DATE"] < DAY:
            games.setdefault(r["PLAYER_ID"], []).append(r)
    last = {p: sorted(g, key=lambda r: r["GAME_DATE"])[-10:] for p, g in games.items()}
    return {p: sum(int(r["PTS"]) for r in g) / len(g) for p, g in last.items()}


def test_teammates_out_of_the_previous_game(raw_rows, computed):
    """For every team playing D: the rostered teammates with no box score in the team's
    previous game, and the points per game (each over his last 10) they leave, counted by hand
    from the CSV."""
    mlfs = computed["ml_feature_store"]
    by_player = mlfs.set_index("player_id")
    ppg = _last10_ppg(raw_rows)
    teams_with_absences = 0
    for team in sorted(mlfs["team_abbr"].unique()):
        earlier = [r for r in raw_rows if r["TEAM_ABBREVIATION"] == team and r["GAME_DATE"] < DAY]
        previous = max(r["GAME_DATE"] for r in earlier)
        played_previous = {r["PLAYER_ID"] for r in earlier if r["GAME_DATE"] == previous}
        rostered = [str(p) for p in mlfs.loc[mlfs["team_abbr"] == team, "player_id"]]
        out = [p for p in rostered if p not in played_previous]
        teams_with_absences += bool(out)
        for p in rostered:
            others = [q for q in out if q != p]
            row = by_player.loc[int(p)]
            assert row["missed_last_game"] == (1.0 if p in out else 0.0), (team, p)
            assert row["teammates_out"] == len(others), (team, p)
            assert row["teammates_out_pts"] == pytest.approx(sum(ppg[q] for q in others))
            everyone = sum(ppg[q] for q in rostered if q != p)
            assert row["teammates_out_pts_share"] == pytest.approx(row["teammates_out_pts"] / everyone)
    assert teams_with_absences >= 3, "the date tests nothing unless some rostered players missed a game"


def test_season_day_road_trip_and_time_zones(raw_rows, computed):
    """For every team playing D: days since the season's first game, its run of away games
    ending with D's and the time zones between D's arena and the previous game's, read from the
    CSV's MATCHUP ("LAL @ UTA" away, "LAL vs. OKC" home)."""
    from shared.teams import TEAMS, TIME_ZONE

    assert set(TIME_ZONE) == set(TEAMS)
    first = min(r["GAME_DATE"] for r in raw_rows)
    mlfs = computed["ml_feature_store"]
    seen = set()
    for team, rows in mlfs.groupby("team_abbr"):
        games = sorted({r["GAME_DATE"]: r["MATCHUP"] for r in raw_rows if r["TEAM_ABBREVIATION"] == team
                        and r["GAME_DATE"] <= DAY}.items())
        assert games[-1][0] == DAY
        trip = 0
        for _, matchup in reversed(games):
            if "@" not in matchup:
                break
            trip += 1
        host = [m.split()[-1] if "@" in m else team for _, m in games[-2:]]
        for _, row in rows.iterrows():
            assert row["days_into_season"] == (date.fromisoformat(DAY) - date.fromisoformat(first)).days
            assert row["road_trip_games"] == trip, team
            assert row["time_zones_crossed"] == abs(TIME_ZONE[host[1]] - TIME_ZONE[host[0]]), team
        seen.add((trip > 1, host[0] != host[1]))
    assert (True, True) in seen or {(True, False), (False, True)} <= seen, "nothing on the road on D"
