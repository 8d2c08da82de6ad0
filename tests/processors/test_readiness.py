"""When the night's processors may run: every game of yesterday has its box scores, the first
tip-off is the lead away, the day's injury report has arrived (or half the lead is left), and
the day is not processed already. Then `process --when-ready` as Cloud Scheduler runs it:
one line and exit 0 until ready, the processors once, and never again."""
from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from ingest.importer.injuries import import_injuries
from ingest.importer.schedule import read_schedule, write_schedule
from processors.readiness import check
from processors.runner import nightly
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import SAMPLE
from tests.support.cli import invoke as run
from tests.support.feeds import injury_report, schedule_feed, season_frame, write_json

DAY = date(2024, 1, 16)
YESTERDAY = date(2024, 1, 15)
ET = ZoneInfo("America/New_York")
LEAD = timedelta(hours=2)
OUT = {"Joel Embiid": "Injury/Illness - Left Knee; Soreness"}
EXTRA_GAME = "0022399999"   # a game the schedule has on the 15th and the box scores do not


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ET)


@pytest.fixture(scope="module")
def season():
    return season_frame(SAMPLE)


@pytest.fixture
def wh(fresh_warehouse):
    """The whole sample season: box scores of every game, the schedule they imply (no tip-off times)."""
    wh = fresh_warehouse()
    yield wh
    wh.close()


def scheduled_extra(wh, tmp_path, status: str = "scheduled") -> None:
    (tmp_path / "extra.csv").write_text("game_id,game_date,tipoff_et,home,away,neutral,status\n"
                                        f"{EXTRA_GAME},{YESTERDAY},19:00,DEN,PHI,false,{status}\n")
    write_schedule(wh, read_schedule(tmp_path / "extra.csv"))


def report(wh, season, tmp_path, as_of: str) -> None:
    path = tmp_path / "report.csv"
    path.write_text(injury_report(season, DAY, OUT))
    import_injuries(wh, path, pd.Timestamp(as_of, tz=ET))


def test_a_day_without_games_has_nothing_to_process(wh):
    found = check(wh, date(2024, 7, 15), at(17, day=date(2024, 7, 15)), LEAD)
    assert not found.ready and found.reason == "no games scheduled on 2024-07-15: nothing to process"


def test_it_waits_for_every_game_yesterday_had_and_a_postponed_one_is_not_waited_for(wh, tmp_path):
    scheduled_extra(wh, tmp_path)
    found = check(wh, DAY, at(18), LEAD)
    assert not found.ready
    assert found.reason == f"box scores of {YESTERDAY} not in yet: 1 of 12 games missing ({EXTRA_GAME})"
    scheduled_extra(wh, tmp_path, "postponed")
    assert check(wh, DAY, at(18), LEAD).ready


def test_the_processors_wait_for_the_lead_before_the_first_tipoff(wh, season, tmp_path):
    assert check(wh, DAY, at(16, 59), LEAD).reason == "waiting until 17:00 ET (2 h before the first tip-off at " \
                                                     "19:00 ET)"                          # no tip-off known: 7 pm
    assert check(wh, DAY, at(16, 59), timedelta(minutes=90)).reason == \
        "waiting until 17:30 ET (1 h 30 min before the first tip-off at 19:00 ET)"
    write_json(tmp_path / "s.json", schedule_feed(season, [DAY], tipoff="19:30"))
    write_schedule(wh, read_schedule(tmp_path / "s.json"))
    assert check(wh, DAY, at(17, 15), LEAD).reason == "waiting until 17:30 ET (2 h before the first tip-off at " \
                                                      "19:30 ET)"


def test_the_days_first_injury_report_or_half_the_lead(wh, season, tmp_path):
    waiting = check(wh, DAY, at(17, 10), LEAD)
    assert not waiting.ready
    assert waiting.reason == f"waiting for the injury report of {DAY} (going ahead without it at 18:00 ET)"
    report(wh, season, tmp_path, "2024-01-15 17:00")          # the day before's report, for these games
    assert not check(wh, DAY, at(17, 10), LEAD).ready
    report(wh, season, tmp_path, "2024-01-16 13:00")
    found = check(wh, DAY, at(17, 10), LEAD)
    assert found.ready and not found.without_report
    assert found.reason == (f"ready: box scores of {YESTERDAY} in (11 games), newest injury report as of 13:00 ET, "
                            "first tip-off 19:00 ET")


def test_without_a_report_the_night_goes_ahead_at_half_the_lead(wh):
    found = check(wh, DAY, at(18), LEAD)
    assert found.ready and found.without_report
    assert found.reason == f"ready without an injury report for {DAY}: none arrived by 18:00 ET"


def test_a_day_processed_on_the_nightly_path_is_done_and_a_failed_one_is_not(wh):
    assert {e.status for e in nightly(wh, None, DAY)} == {"success"}
    found = check(wh, DAY, at(18), LEAD)
    assert found.done and not found.ready and found.reason.startswith(f"processors already ran for {DAY} (finished ")
    wh.query(f"UPDATE {tables.PROCESSOR_RUNS.fqn} SET status = 'failed' WHERE processor = 'ml_feature_store'")
    assert check(wh, DAY, at(18), LEAD).ready


def test_process_when_ready_says_why_not_runs_once_and_never_again(sample_db, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_db, home / "warehouse.duckdb")
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    scheduled_extra(wh, tmp_path)
    wh.close()

    waiting = run("process", "--date", str(DAY), "--when-ready", home=home)
    assert waiting.returncode == 0, waiting.stderr
    assert waiting.stdout.splitlines() == [f"{DAY}: box scores of {YESTERDAY} not in yet: 1 of 12 games missing "
                                           f"({EXTRA_GAME})"]

    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    assert wh.count(tables.PROCESSOR_RUNS.fqn) == 0
    scheduled_extra(wh, tmp_path, "postponed")
    wh.close()
    ready = run("process", "--date", str(DAY), "--when-ready", home=home)
    assert ready.returncode == 0, ready.stderr
    assert f"warning: {DAY}: ready without an injury report for {DAY}" in ready.stderr   # a past date: long passed
    assert f"{DAY}: 5/5 processors succeeded; published 5 event(s)" in ready.stdout

    again = run("process", "--date", str(DAY), "--when-ready", home=home)
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{DAY}: processors already ran for {DAY} (finished ")
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    runs = wh.read(tables.PROCESSOR_RUNS.fqn, DAY, DAY)
    wh.close()
    assert len(runs) == 5 and runs["run_id"].nunique() == 1
