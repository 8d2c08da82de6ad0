"""Import of real box scores: tables built, idempotent, all-or-nothing on bad input."""
from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from ingest.importer import ImportValidationError, import_files
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import PLAYOFF_FIXTURE, SAMPLE


@pytest.fixture(scope="module")
def sample_rows() -> list[str]:
    with gzip.open(SAMPLE, "rt") as fh:
        return fh.read().splitlines()


@pytest.fixture
def warehouse(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    wh.ensure_tables()
    yield wh
    wh.close()


def write(tmp_path: Path, lines: list[str], name="logs.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def snapshot(wh):
    return {t: wh.count(t) for t in (tables.PLAYER_GAME_SUMMARY.fqn, tables.TEAM_GAME_SUMMARY.fqn,
                                     tables.SCHEDULE.fqn)}


def test_sample_season_builds_all_three_tables(warehouse):
    result = import_files(warehouse, [SAMPLE])
    assert snapshot(warehouse) == {tables.PLAYER_GAME_SUMMARY.fqn: 26401, tables.TEAM_GAME_SUMMARY.fqn: 2460,
                                   tables.SCHEDULE.fqn: 1230}
    assert (result.first_date, result.last_date) == ("2023-10-24", "2024-04-14")
    # Dean Wade, CLE vs. IND on 2023-10-28 (first row of the file)
    row = warehouse.query(f"SELECT * FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE player_id = 1629731 "
                          "AND game_id = '0022300091'").iloc[0]
    assert (row.team_abbr, row.opponent_abbr, bool(row.is_home), bool(row.win)) == ("CLE", "IND", True, False)
    assert (row.minutes, row.pts, row.reb) == (37, 6, 3)


def test_team_summary_totals_and_pace_are_consistent(warehouse):
    import_files(warehouse, [SAMPLE])
    teams = warehouse.read(tables.TEAM_GAME_SUMMARY.fqn)
    players = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn)
    one = teams[(teams.game_id == "0022300091") & (teams.team_abbr == "CLE")].iloc[0]
    cle = players[(players.game_id == "0022300091") & (players.team_abbr == "CLE")]
    assert one.pts == cle.pts.sum() and one.opponent_abbr == "IND"
    assert one.opp_pts == players[(players.game_id == "0022300091") & (players.team_abbr == "IND")].pts.sum()
    assert teams.pace.between(80, 130).all()
    assert (teams.overtimes >= 0).all() and (teams.overtimes > 0).sum() > 30


def test_reimport_changes_nothing(warehouse):
    import_files(warehouse, [SAMPLE])
    before = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn).sort_values(["game_id", "player_id"]).reset_index(drop=True)
    import_files(warehouse, [SAMPLE])
    after = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn).sort_values(["game_id", "player_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(before, after)


@pytest.mark.parametrize("mutate, expected", [
    (lambda cols: cols.__setitem__(11, "abc"), "column PTS = 'abc': not a whole number"),
    (lambda cols: cols.__setitem__(7, "2023-02-30"), "column GAME_DATE = '2023-02-30': not a date"),
    (lambda cols: cols.__setitem__(11, "7"), "column PTS = '7': PTS != 2*FGM + FG3M + FTM"),
    (lambda cols: cols.__setitem__(8, "CLE vs IND"), "column MATCHUP = 'CLE vs IND'"),
    (lambda cols: cols.__setitem__(10, "-3"), "column MIN = '-3': below 0"),
])
def test_one_bad_row_names_line_column_value_and_writes_nothing(tmp_path, warehouse, sample_rows, mutate, expected):
    import_files(warehouse, [SAMPLE])
    before = snapshot(warehouse)
    lines = sample_rows[:200]
    cols = lines[150].split(",")
    mutate(cols)
    lines[150] = ",".join(cols)
    bad = write(tmp_path, lines)
    with pytest.raises(ImportValidationError) as info:
        import_files(warehouse, [bad])
    assert f"{bad}:151: {expected}" in str(info.value)
    assert snapshot(warehouse) == before


def test_missing_column_is_named(tmp_path, warehouse, sample_rows):
    lines = [",".join(c for c in line.split(",")[:-1]) for line in sample_rows[:5]]  # drop SEASON_LABEL
    with pytest.raises(ImportValidationError, match=r"line 1|:1: column SEASON_LABEL"):
        import_files(warehouse, [write(tmp_path, lines)])
    assert warehouse.count(tables.PLAYER_GAME_SUMMARY.fqn) == 0


def test_duplicate_player_game_is_refused(tmp_path, warehouse, sample_rows):
    lines = sample_rows[:10] + [sample_rows[3]]
    with pytest.raises(ImportValidationError, match=r":11: column game_id\+player_id .*duplicate player-game"):
        import_files(warehouse, [write(tmp_path, lines)])
    assert warehouse.count(tables.PLAYER_GAME_SUMMARY.fqn) == 0


def test_playoff_layout_keeps_dnp_rows_as_did_not_play(warehouse):
    result = import_files(warehouse, [PLAYOFF_FIXTURE])
    players = warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn)
    dnp = players[~players.played]
    assert result.did_not_play == len(dnp) > 0
    assert dnp.minutes.isna().all() and dnp.pts.isna().all()
    assert dnp.dnp_reason.str.startswith(("DNP", "DND", "NWT", "no minutes")).all()
    played = players[players.played]
    assert played.minutes.gt(0).all() and (played.season_type == "playoffs").all()
    assert played.game_id.str.len().eq(10).all() and played.opponent_abbr.notna().all()
    # a team-game's players all share one result, and exactly one team wins each game
    teams = warehouse.read(tables.TEAM_GAME_SUMMARY.fqn)
    assert teams.groupby("game_id").win.sum().eq(1).all()
    sched = warehouse.read(tables.SCHEDULE.fqn)
    assert (~sched.venue_known).all() and len(sched) == teams.game_id.nunique()
