"""The Warehouse contract, run against DuckDB and against BigQuery (bqemulator)."""
from __future__ import annotations

import warnings
from datetime import date

import pandas as pd
import pytest

from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse

TABLE = tables.SCHEDULE.fqn


def games(*rows):
    return pd.DataFrame([{
        "game_id": gid, "game_date": d, "season": "2023-24", "season_type": "regular", "home_team_abbr": home,
        "away_team_abbr": "BOS", "home_team_id": 1, "away_team_id": 2, "venue_known": True,
        "tipoff_utc": pd.Timestamp(d, tz="UTC") + pd.Timedelta(hours=24.5), "neutral": False, "status": "scheduled",
        "arena": "TD Garden", "game_label": None, "source": "csv",
    } for gid, d, home in rows])


@pytest.fixture(params=["duckdb", pytest.param("bigquery", marks=pytest.mark.emulator)])
def warehouse(request, tmp_path):
    if request.param == "duckdb":
        wh = DuckDBWarehouse(tmp_path / "w.duckdb")
        wh.ensure_tables()
        yield wh
        wh.close()
        return
    from shared.adapters.bigquery_warehouse import BigQueryWarehouse

    client = request.getfixturevalue("bq_client")
    wh = BigQueryWarehouse("test-proj", client=client)
    warnings.filterwarnings("ignore", category=FutureWarning)
    wh.ensure_tables()
    wh.query(f"DELETE FROM {TABLE} WHERE TRUE")
    yield wh


def test_merge_is_keyed_and_does_not_duplicate(warehouse):
    rows = games(("g1", "2024-01-01", "NYK"), ("g2", "2024-01-02", "LAL"))
    warehouse.merge_frame(TABLE, rows)
    warehouse.merge_frame(TABLE, rows)
    assert warehouse.count(TABLE) == 2
    warehouse.merge_frame(TABLE, games(("g2", "2024-01-02", "GSW"), ("g3", "2024-01-03", "MIA")))
    got = warehouse.read(TABLE).sort_values("game_id")
    assert list(got["game_id"]) == ["g1", "g2", "g3"]
    assert list(got["home_team_abbr"]) == ["NYK", "GSW", "MIA"]


def test_replace_partitions_is_idempotent_and_leaves_other_dates(warehouse):
    warehouse.merge_frame(TABLE, games(("g1", "2024-01-01", "NYK"), ("g2", "2024-01-02", "LAL"),
                                       ("g3", "2024-01-03", "MIA")))
    new = games(("g4", "2024-01-02", "DEN"), ("g5", "2024-01-02", "PHX"))
    for _ in range(2):
        warehouse.replace_partitions(TABLE, new, date(2024, 1, 2), date(2024, 1, 2))
        got = warehouse.read(TABLE).sort_values("game_id")
        assert list(got["game_id"]) == ["g1", "g3", "g4", "g5"]


def test_replace_with_no_rows_clears_the_range(warehouse):
    warehouse.merge_frame(TABLE, games(("g1", "2024-01-01", "NYK"), ("g2", "2024-01-02", "LAL")))
    warehouse.replace_partitions(TABLE, games(), date(2024, 1, 2), date(2024, 1, 9))
    assert list(warehouse.read(TABLE)["game_id"]) == ["g1"]


def test_replace_refuses_rows_outside_the_range(warehouse):
    with pytest.raises(ValueError, match="outside"):
        warehouse.replace_partitions(TABLE, games(("g1", "2024-02-01", "NYK")), date(2024, 1, 1), date(2024, 1, 2))
    assert warehouse.count(TABLE) == 0


def test_read_filters_by_partition_range_with_uniform_types(warehouse):
    warehouse.merge_frame(TABLE, games(("g1", "2024-01-01", "NYK"), ("g2", "2024-01-02", "LAL"),
                                       ("g3", "2024-01-03", "MIA")))
    got = warehouse.read(TABLE, date(2024, 1, 2), date(2024, 1, 2), columns=["game_id", "game_date", "home_team_id"])
    assert list(got.columns) == ["game_id", "game_date", "home_team_id"]
    assert got["game_id"].tolist() == ["g2"]
    assert got["game_date"].iloc[0] == pd.Timestamp("2024-01-02")
    assert str(got["home_team_id"].dtype) == "Int64"


def test_parameterised_query_treats_input_as_data(warehouse):
    warehouse.merge_frame(TABLE, games(("g1", "2024-01-01", "NYK")))
    hostile = "NYK' OR '1'='1"
    got = warehouse.query(f"SELECT COUNT(*) AS n FROM {TABLE} WHERE home_team_abbr = @team", {"team": hostile})
    assert int(got["n"].iloc[0]) == 0
    got = warehouse.query(f"SELECT COUNT(*) AS n FROM {TABLE} WHERE game_date >= @d", {"d": date(2024, 1, 1)})
    assert int(got["n"].iloc[0]) == 1


def test_append_adds_rows(warehouse):
    warehouse.append(TABLE, games(("g1", "2024-01-01", "NYK")))
    warehouse.append(TABLE, games(("g2", "2024-01-01", "LAL")))
    assert warehouse.count(TABLE) == 2


def test_ensure_tables_adds_columns_declared_after_the_table_was_made(warehouse):
    from shared import tables

    extra = tables.register("contract", "evolving", "day DATE, name STRING", partition="day", key=("day",))
    try:
        warehouse.ensure_tables()
        warehouse.append(extra.fqn, pd.DataFrame({"day": ["2024-01-01"], "name": ["old"]}))
        grown = tables.register("contract", "evolving", "day DATE, name STRING, score FLOAT64", partition="day",
                                key=("day",))
        warehouse.ensure_tables()
        warehouse.append(grown.fqn, pd.DataFrame({"day": ["2024-01-02"], "name": ["new"], "score": [1.5]}))
        got = warehouse.read(grown.fqn).sort_values("day")
        assert got["name"].tolist() == ["old", "new"]
        assert pd.isna(got["score"].iloc[0]) and got["score"].iloc[1] == 1.5
    finally:
        tables.CATALOG.pop("contract.evolving", None)


def test_a_column_added_with_a_backfill_gives_the_old_rows_its_value(warehouse):
    """prediction_version: rows written before versions existed are version 1, so a MERGE
    keyed on it matches them instead of writing a second row beside each."""
    from shared import tables

    extra = tables.register("contract", "versioned", "day DATE, name STRING", partition="day", key=("day",),
                            partition_filter_required=True)
    try:
        warehouse.ensure_tables()
        warehouse.append(extra.fqn, pd.DataFrame({"day": ["2024-01-01"], "name": ["old"]}))
        grown = tables.register("contract", "versioned", "day DATE, name STRING, version INT64", partition="day",
                                key=("day", "version"), partition_filter_required=True,
                                backfill=(("version", "1"),))
        warehouse.ensure_tables()
        warehouse.merge_frame(grown.fqn, pd.DataFrame({"day": ["2024-01-01"], "name": ["again"], "version": [1]}))
        got = warehouse.read(grown.fqn, *tables.EVERY_DATE)
        assert got[["name", "version"]].values.tolist() == [["again", 1]]
    finally:
        tables.CATALOG.pop("contract.versioned", None)
