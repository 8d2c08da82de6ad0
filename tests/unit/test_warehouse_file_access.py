"""The embedded warehouse touches no file but its own: whatever SQL reaches a connection, it
cannot read, list or write the file system, attach another database, or switch that back on."""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse


@pytest.fixture(params=[False, True], ids=["writer", "read-only"])
def warehouse(request, tmp_path):
    made = DuckDBWarehouse(tmp_path / "w.duckdb")
    made.ensure_tables()
    made.close()
    wh = DuckDBWarehouse(tmp_path / "w.duckdb", read_only=request.param)
    yield wh
    wh.close()


def outside(tmp_path):
    return tmp_path.parent / f"{tmp_path.name}-outside.csv"


@pytest.mark.parametrize("sql", [
    "SELECT content FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY (SELECT 'x') TO '{out}'",
    "ATTACH '{out}.db' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "RESET enable_external_access",
    "SET lock_configuration = false",
])
def test_no_statement_reaches_the_file_system(warehouse, tmp_path, sql):
    with pytest.raises(duckdb.Error) as refused:
        warehouse.query(sql.format(out=outside(tmp_path)))
    assert "root:" not in str(refused.value)
    assert not outside(tmp_path).exists() and not outside(tmp_path).with_suffix(".csv.db").exists()
    assert warehouse.query("SELECT current_setting('enable_external_access') AS on_")["on_"].iloc[0] == False  # noqa: E712


def test_frames_still_load_and_read_back(tmp_path):
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    wh.ensure_tables()
    games = pd.DataFrame([{"game_id": "g1", "game_date": date(2024, 1, 2), "season": "2023-24",
                           "season_type": "regular", "home_team_abbr": "NYK", "away_team_abbr": "BOS",
                           "home_team_id": 1, "away_team_id": 2, "venue_known": True,
                           "tipoff_utc": pd.Timestamp("2024-01-03T00:30", tz="UTC"), "neutral": False,
                           "status": "scheduled", "arena": "MSG", "game_label": None, "source": "csv"}])
    assert wh.merge_frame(tables.SCHEDULE.fqn, games) == 1
    assert wh.replace_partitions(tables.SCHEDULE.fqn, games, date(2024, 1, 2), date(2024, 1, 2)) == 1
    got = wh.read(tables.SCHEDULE.fqn, date(2024, 1, 1), date(2024, 1, 3))
    assert list(got["game_id"]) == ["g1"] and str(got["tipoff_utc"].iloc[0]) == "2024-01-03 00:30:00+00:00"
