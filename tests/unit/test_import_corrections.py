"""Real data the importer must take: a one-row correction file re-imported after the season,
and neutral-site games whose two teams carry the same MATCHUP string."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from ingest.importer import ImportValidationError, import_files
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import SAMPLE

GAME = "0022300091"   # CLE vs. IND, 2023-10-28


@pytest.fixture(scope="module")
def season() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


@pytest.fixture
def imported(sample_db, tmp_path):
    shutil.copy(sample_db, tmp_path / "w.duckdb")
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    yield wh
    wh.close()


def game_state(wh, game_id):
    teams = wh.query(f"SELECT team_abbr, pts, reb, opp_pts FROM {tables.TEAM_GAME_SUMMARY.fqn} WHERE game_id = @g "
                     "ORDER BY team_abbr", {"g": game_id})
    sched = wh.query(f"SELECT home_team_abbr, away_team_abbr, venue_known, status FROM {tables.SCHEDULE.fqn} "
                     "WHERE game_id = @g", {"g": game_id})
    return teams.to_dict("records"), sched.to_dict("records")


def test_a_one_row_correction_leaves_both_teams_and_the_schedule_whole(imported, season, tmp_path):
    before = game_state(imported, GAME)
    assert before[0][0]["pts"] > 90 and before[1][0]["away_team_abbr"] == "IND"
    row = season[season["GAME_ID"] == GAME].head(1).copy()
    row["PLUS_MINUS"] = "7"                                         # the correction itself
    row.to_csv(tmp_path / "correction.csv", index=False)
    result = import_files(imported, [tmp_path / "correction.csv"])
    assert result.player_rows == 1 and result.team_rows == 2 and result.games == 1
    assert game_state(imported, GAME) == before
    fixed = imported.query(f"SELECT plus_minus FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE game_id = @g AND "
                           "player_id = @p", {"g": GAME, "p": int(row["PLAYER_ID"].iloc[0])})
    assert fixed["plus_minus"].iloc[0] == 7


def test_a_season_with_neutral_site_games_imports_whole(season, tmp_path):
    games = season.drop_duplicates("GAME_ID").head(3)["GAME_ID"]
    neutral = season.copy()
    for game in games:
        rows = neutral["GAME_ID"] == game
        away = neutral.loc[rows & neutral["MATCHUP"].str.contains("@"), "MATCHUP"].iloc[0]
        neutral.loc[rows, "MATCHUP"] = away                       # both teams' rows: "AWAY @ HOME"
    neutral.to_csv(tmp_path / "neutral.csv", index=False)
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    result = import_files(wh, [tmp_path / "neutral.csv"])
    assert result.player_rows == 26401 and result.games == 1230
    plain = DuckDBWarehouse(tmp_path / "plain.duckdb")
    import_files(plain, [SAMPLE])
    for game in games:
        assert game_state(wh, game) == game_state(plain, game)      # same home, away and totals


def test_a_team_that_is_not_in_the_game_is_still_refused(season, tmp_path):
    bad = season.head(40).copy()
    bad.loc[5, "MATCHUP"] = "BOS @ NYK"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ImportValidationError, match=r"bad.csv:7: column MATCHUP = 'BOS @ NYK': TEAM_ABBREVIATION "
                                                    r"is not in the game"):
        import_files(DuckDBWarehouse(tmp_path / "w.duckdb"), [tmp_path / "bad.csv"])


def test_a_row_with_more_fields_than_the_header_is_refused_naming_its_line(season, tmp_path):
    lines = season.head(5).to_csv(index=False).splitlines()
    lines[1] = ",," + lines[1]       # surplus fields on the first row: pandas would quietly make them an index
    (tmp_path / "long.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportValidationError, match=r"long.csv:2: column - = '33 fields': the header has 31 fields"):
        import_files(DuckDBWarehouse(tmp_path / "w.duckdb"), [tmp_path / "long.csv"])
