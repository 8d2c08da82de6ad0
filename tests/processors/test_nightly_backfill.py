"""A one-day nightly run gives exactly the rows a season backfill gives for that day;
features for D do not move when box scores on or after D change (no leakage)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from processors.backfill import backfill
from processors.runner import nightly
from shared import tables
from shared.catalogue import BY_NAME as SPECS

DATES = [date(2023, 10, 30), date(2024, 1, 15), date(2024, 2, 9), date(2024, 4, 14)]


def rows_for(wh, day: date) -> dict[str, pd.DataFrame]:
    out = {}
    for name, spec in SPECS.items():
        frame = wh.read(spec.table.fqn, day, day)
        out[name] = frame.sort_values(list(spec.table.key)).reset_index(drop=True)
    return out


@pytest.fixture(scope="module")
def season_backfill(sample_db, tmp_path_factory):
    import shutil

    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    path = tmp_path_factory.mktemp("backfill") / "w.duckdb"
    shutil.copy(sample_db, path)
    wh = DuckDBWarehouse(path)
    result = backfill(wh, date(2023, 10, 1), date(2024, 4, 30))
    assert result.failed_chunks == 0
    yield wh
    wh.close()


@pytest.mark.parametrize("day", DATES, ids=str)
def test_nightly_equals_backfill_for_every_processor(season_backfill, fresh_warehouse, day):
    wh = fresh_warehouse()
    events = nightly(wh, None, day)
    assert all(e.status == "success" for e in events), events
    expected, got = rows_for(season_backfill, day), rows_for(wh, day)
    for name in SPECS:
        assert len(got[name]) > 0, name
        pd.testing.assert_frame_equal(got[name], expected[name], check_exact=False, rtol=1e-12, obj=name)


def test_features_for_d_ignore_box_scores_on_or_after_d(fresh_warehouse):
    day = date(2024, 1, 15)
    wh = fresh_warehouse()
    nightly(wh, None, day)
    before = rows_for(wh, day)
    # rewrite every box score on or after D, and drop D's own rows: who played on D must not matter
    wh.query(f"UPDATE {tables.PLAYER_GAME_SUMMARY.fqn} SET pts = pts + 17, minutes = 48, fgm = fgm + 5, "
             "fga = fga + 9, reb = reb + 7, ast = ast + 6, fg3m = fg3m + 4 WHERE game_date >= @d", {"d": day})
    wh.query(f"DELETE FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE game_date = @d", {"d": day})
    wh.query(f"UPDATE {tables.TEAM_GAME_SUMMARY.fqn} SET pts = pts + 40, opp_pts = opp_pts + 40, pace = 130, "
             "possessions = possessions + 20, ast = ast + 9, opp_oreb = opp_oreb + 8, opp_dreb = opp_dreb + 8, "
             "opp_fg3m = opp_fg3m + 5 WHERE game_date >= @d", {"d": day})
    nightly(wh, None, day)
    after = rows_for(wh, day)
    for name in SPECS:
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)


def test_changing_a_game_before_d_does_change_features(fresh_warehouse):
    """The leakage test above would pass vacuously if nothing depended on history."""
    day = date(2024, 1, 15)
    wh = fresh_warehouse()
    nightly(wh, None, day)
    before = wh.read(tables.ML_FEATURE_STORE.fqn, day, day).set_index("player_id")
    last = wh.query(f"SELECT MAX(game_date) AS d FROM {tables.PLAYER_GAME_SUMMARY.fqn} "
                    "WHERE player_id = 2544 AND game_date < @d", {"d": day})["d"].iloc[0]
    wh.query(f"UPDATE {tables.PLAYER_GAME_SUMMARY.fqn} SET pts = pts + 10, fgm = fgm + 5, reb = reb + 5, "
             "ast = ast + 10, fg3m = fg3m + 5 WHERE player_id = 2544 AND game_date = @d", {"d": last})
    nightly(wh, None, day)
    after = wh.read(tables.ML_FEATURE_STORE.fqn, day, day).set_index("player_id")
    # every prop's history features read the box scores before D: one game +x moves a last-5 mean by x/5
    for feature, moved in (("pts_avg_last5", 2), ("reb_avg_last5", 1), ("ast_avg_last5", 2), ("fg3m_avg_last5", 1),
                           ("pra_avg_last5", 5), ("reb_avg_last10", 0.5), ("pra_avg_season", None)):
        if moved is None:
            assert after.loc[2544, feature] > before.loc[2544, feature]
        else:
            assert after.loc[2544, feature] == pytest.approx(before.loc[2544, feature] + moved), feature


def test_a_missing_box_score_before_d_marks_him_out_of_the_previous_game(fresh_warehouse):
    """The availability features read who played the team's previous game, and nothing on D."""
    day = date(2024, 1, 15)
    wh = fresh_warehouse()
    nightly(wh, None, day)
    before = wh.read(tables.ML_FEATURE_STORE.fqn, day, day).set_index("player_id")
    previous = wh.query(f"SELECT MAX(game_date) AS d FROM {tables.PLAYER_GAME_SUMMARY.fqn} "
                        "WHERE team_abbr = 'LAL' AND game_date < @d", {"d": day})["d"].iloc[0]
    scorer = int(wh.query(f"SELECT player_id FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE team_abbr = 'LAL' "
                          "AND game_date = @d ORDER BY pts DESC LIMIT 1", {"d": previous})["player_id"].iloc[0])
    assert before.loc[scorer, "missed_last_game"] == 0
    wh.query(f"DELETE FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE player_id = @p AND game_date = @d",
             {"p": scorer, "d": previous})
    nightly(wh, None, day)
    after = wh.read(tables.ML_FEATURE_STORE.fqn, day, day).set_index("player_id")
    assert after.loc[scorer, "missed_last_game"] == 1
    teammates = before.index[(before["team_abbr"] == "LAL") & (before.index != scorer)]
    assert len(teammates) > 5
    assert (after.loc[teammates, "teammates_out"] == before.loc[teammates, "teammates_out"] + 1).all()
    left = after.loc[teammates, "teammates_out_pts"] - before.loc[teammates, "teammates_out_pts"]
    assert left.min() == pytest.approx(left.max()) and left.min() > 5   # his points per game, for each of them
    others = before.index[before["team_abbr"] != "LAL"]
    assert (after.loc[others, "teammates_out"] == before.loc[others, "teammates_out"]).all()


def test_late_box_scores_of_the_previous_game_mark_nobody_out(fresh_warehouse):
    """Last night's game is on the schedule but its box scores are not in yet: the previous
    game is then the one before it, and the roster is not marked out of a game with no rows."""
    day = date(2024, 1, 15)
    wh = fresh_warehouse()
    previous = wh.query(f"SELECT MAX(game_date) AS d FROM {tables.TEAM_GAME_SUMMARY.fqn} "
                        "WHERE team_abbr = 'LAL' AND game_date < @d", {"d": day})["d"].iloc[0]
    game = wh.query(f"SELECT game_id FROM {tables.TEAM_GAME_SUMMARY.fqn} WHERE team_abbr = 'LAL' AND game_date = @d",
                    {"d": previous})["game_id"].iloc[0]
    for table in (tables.PLAYER_GAME_SUMMARY, tables.TEAM_GAME_SUMMARY):
        wh.query(f"DELETE FROM {table.fqn} WHERE game_id = @g", {"g": game})
    assert len(wh.query(f"SELECT * FROM {tables.SCHEDULE.fqn} WHERE game_id = @g", {"g": game})) == 1
    nightly(wh, None, day)
    lal = wh.read(tables.ML_FEATURE_STORE.fqn, day, day).query("team_abbr == 'LAL'")
    assert len(lal) > 8 and (lal["missed_last_game"] == 0).sum() >= 8, lal["missed_last_game"].tolist()


def test_parallel_backfill_matches_serial(fresh_warehouse):
    serial, parallel = fresh_warehouse("a.duckdb"), fresh_warehouse("b.duckdb")
    backfill(serial, date(2023, 12, 1), date(2023, 12, 31), chunk_dates=10)
    backfill(parallel, date(2023, 12, 1), date(2023, 12, 31), chunk_dates=10, workers=2)
    for spec in SPECS.values():
        key = list(spec.table.key)
        a = serial.read(spec.table.fqn).sort_values(key).reset_index(drop=True)
        b = parallel.read(spec.table.fqn).sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, obj=spec.name)


@pytest.mark.slow   # a backfill in a process of its own, killed and run again
def test_killed_backfill_resumes_without_duplicates(fresh_warehouse):
    clean, resumed = fresh_warehouse("clean.duckdb"), fresh_warehouse("resumed.duckdb")
    backfill(clean, date(2023, 11, 1), date(2023, 11, 30), chunk_dates=8)

    class Killed(BaseException):
        pass

    def die_after_three(done, total):
        if done == 3:
            raise Killed

    with pytest.raises(Killed):
        backfill(resumed, date(2023, 11, 1), date(2023, 11, 30), chunk_dates=8, progress=die_after_three)
    second = backfill(resumed, date(2023, 11, 1), date(2023, 11, 30), chunk_dates=8)
    assert second.dates_skipped == 24 and second.dates_in_range > 24
    for spec in SPECS.values():
        key = list(spec.table.key)
        a = clean.read(spec.table.fqn).sort_values(key).reset_index(drop=True)
        b = resumed.read(spec.table.fqn).sort_values(key).reset_index(drop=True)
        assert not b.duplicated(key).any()
        pd.testing.assert_frame_equal(a, b, obj=spec.name)
    runs = resumed.read(tables.PROCESSOR_RUNS.fqn)
    assert (runs["status"] == "success").all() and not runs.duplicated(["processor", "game_date"]).any()


def test_backfill_recomputes_dates_whose_features_have_another_version(fresh_warehouse):
    """After an upgrade that changes the feature vector, a plain backfill redoes the dates that
    hold the old version (their new columns would be empty) and skips the rest."""
    from shared.features import STORE_VERSION as FEATURE_VERSION

    wh = fresh_warehouse()
    backfill(wh, date(2023, 11, 1), date(2023, 11, 30))
    old = date(2023, 11, 10)
    wh.query(f"UPDATE {tables.ML_FEATURE_STORE.fqn} SET feature_version = 'v0', teammates_out = NULL "
             "WHERE game_date = @d", {"d": old})
    again = backfill(wh, date(2023, 11, 1), date(2023, 11, 30))
    assert again.dates_skipped == again.dates_in_range - 1
    rows = wh.read(tables.ML_FEATURE_STORE.fqn, old, old)
    assert len(rows) > 100 and (rows["feature_version"] == FEATURE_VERSION).all()
    assert rows["teammates_out"].notna().all()


def test_no_games_means_no_data_for_every_processor(fresh_warehouse):
    events = nightly(fresh_warehouse(), None, date(2024, 7, 15))
    assert {e.status for e in events} == {"no_data"} and len(events) == 5
    assert all("no games scheduled" in e.error for e in events)
