"""The morning import: tonight's schedule is already in, then the box scores of several nights
arrive in one file (the morning after a gap, or a season-to-date file)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from ingest.importer import import_files
from ingest.importer.schedule import read_schedule, write_schedule
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import SAMPLE
from tests.support.feeds import schedule_feed, season_frame, write_json

SCHEDULED = date(2024, 1, 15)


def test_a_several_night_file_after_one_night_of_schedule_imports_every_night(tmp_path):
    season = season_frame(SAMPLE)
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    season[season["GAME_DATE"] <= "2024-01-10"].to_csv(tmp_path / "history.csv", index=False)
    import_files(wh, [tmp_path / "history.csv"])
    write_json(tmp_path / "schedule.json", schedule_feed(season, [SCHEDULED]))
    write_schedule(wh, read_schedule(tmp_path / "schedule.json"))
    nights = season[(season["GAME_DATE"] >= "2024-01-11") & (season["GAME_DATE"] <= "2024-01-15")]
    nights.to_csv(tmp_path / "nights.csv", index=False)

    result = import_files(wh, [tmp_path / "nights.csv"])

    assert (result.first_date, result.last_date) == ("2024-01-11", "2024-01-15")
    assert result.player_rows == len(nights)
    games = wh.read(tables.SCHEDULE.fqn, date(2024, 1, 11), SCHEDULED)
    assert len(games) == nights["GAME_ID"].nunique() and set(games["status"]) == {"final"}
    on_the_night = games["game_date"] == pd.Timestamp(SCHEDULED)
    tonight, before = games[on_the_night], games[~on_the_night]
    # the night the schedule knew keeps its venue facts; the others come from the box scores alone
    assert set(tonight["source"]) == {"feed"} and tonight["arena"].notna().all()
    assert tonight["tipoff_utc"].notna().all()
    assert set(before["source"]) == {"box_scores"} and before["tipoff_utc"].isna().all()
    wh.close()
