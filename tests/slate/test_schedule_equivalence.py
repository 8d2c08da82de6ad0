"""The night before a game looks like the season after it: for game date D, a warehouse with
box scores through D-1 plus D's schedule (from the league feed) gives the same features and
the same predictions, to the float, as one holding the whole season."""
from __future__ import annotations

import shutil
from datetime import date, timedelta

import pandas as pd
import pytest

from ingest.importer.schedule import read_schedule, write_schedule
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.catalogue import PROCESSORS
from tests.slate.conftest import history_through, predict, warehouse_with
from tests.support.feeds import schedule_feed, write_json

VOLATILE = ["batch_id", "correlation_id", "created_at", "predicted_as_of"]   # when each run predicted


def frame(wh, table, day) -> pd.DataFrame:
    t = tables.get(table)
    rows = wh.read(table, day, day)
    keep = [c for c in rows.columns if c not in ("run_id", "computed_at", "processed_at", *VOLATILE)]
    return rows[keep].sort_values(list(t.key)).reset_index(drop=True)


@pytest.mark.parametrize("day", [date(2023, 11, 20), date(2024, 1, 15), date(2024, 3, 8)])
def test_tonight_from_the_schedule_equals_the_season_after(season, sample_db, tmp_path, day):
    feed = tmp_path / "schedule.json"
    write_json(feed, schedule_feed(season, [day]))
    tonight = warehouse_with(tmp_path, "tonight", history_through(season, day - timedelta(days=1),
                                                                  tmp_path / "history.csv"))
    assert tonight.query(f"SELECT COUNT(*) AS n FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE game_date >= @d",
                         {"d": day})["n"].iloc[0] == 0
    write_schedule(tonight, read_schedule(feed))
    shutil.copy(sample_db, tmp_path / "after.duckdb")               # the whole season, imported once a session
    after = DuckDBWarehouse(tmp_path / "after.duckdb")

    predicted = {name: predict(wh, tmp_path / name, day) for name, wh in (("tonight", tonight), ("after", after))}

    for processor in PROCESSORS:
        pd.testing.assert_frame_equal(frame(tonight, processor.table.fqn, day), frame(after, processor.table.fqn, day),
                                      check_exact=True, obj=processor.name)
    a, b = (predicted[n].drop(columns=VOLATILE).sort_values(list(tables.PREDICTIONS.key)).reset_index(drop=True)
            for n in ("tonight", "after"))
    assert len(a) > 1000
    pd.testing.assert_frame_equal(a, b, check_exact=True)
