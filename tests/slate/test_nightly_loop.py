"""`serve` left running over a simulated night: its loop (an injected clock) grades yesterday
in the morning, runs the processors when the schedule has games, lets the orchestrator start
one batch, checks the deadline, and grades the night the next morning; nothing runs twice,
not even after a restart. The deadline alarm fires for a scheduled date nobody processed."""
from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bin import stack as local
from bin.nightly import Nightly
from coordinator.service import status_for_date
from ingest.importer import import_files
from ingest.importer.schedule import read_schedule, write_schedule
from shared import schedule, tables
from shared.config import Settings
from tests.slate.conftest import history_through
from tests.slate.feeds import schedule_feed, write_json

DAY = date(2024, 1, 15)
ET = ZoneInfo("America/New_York")


@pytest.fixture
def night(season, tmp_path):
    home = tmp_path / "home"
    settings = Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": "test-token-0123456789"})
    st = local.start(settings, start_dispatcher=False)
    import_files(st.warehouse, [history_through(season, date(2024, 1, 14), tmp_path / "history.csv")])
    write_json(tmp_path / "s.json", schedule_feed(season, [DAY]))
    write_schedule(st.warehouse, read_schedule(tmp_path / "s.json"))
    yield settings, st
    st.stop()


def loop_at(settings, st, clock):
    return Nightly(settings, st.warehouse, st.bus,
                   lambda days: st.orchestrator.orchestrator.check_deadlines(days, st.orchestrator.has_games),
                   clock=lambda: clock[0])


def test_a_simulated_night_runs_itself(night, season, tmp_path):
    settings, st = night
    clock = [datetime(2024, 1, 15, 8, 0, tzinfo=ET)]
    loop = loop_at(settings, st, clock)
    assert loop.tick() == []                                                     # nothing is due at 8 am
    clock[0] = datetime(2024, 1, 15, 9, 30, tzinfo=ET)
    assert loop.tick() == ["graded 2024-01-14: 0 predictions"]
    clock[0] = datetime(2024, 1, 15, 16, 5, tzinfo=ET)
    assert loop.tick() == ["processors for 2024-01-15: success"]
    st.bus.drain()                                                               # orchestrator -> batch -> workers
    batch = status_for_date(st.coordinator, DAY)
    assert batch["state"] == "finished" and batch["completed"] == batch["expected"] > 200
    assert loop.tick() == []                                                     # not twice
    clock[0] = datetime(2024, 1, 15, 18, 1, tzinfo=ET)
    assert loop.tick() == ["deadline check 2024-01-15: already_triggered"]

    season[season["GAME_DATE"] == DAY.isoformat()].to_csv(tmp_path / "night.csv", index=False)
    import_files(st.warehouse, [tmp_path / "night.csv"])                          # the box scores arrive
    clock[0] = datetime(2024, 1, 16, 9, 5, tzinfo=ET)
    graded = loop_at(settings, st, clock).tick()                                 # a restarted serve
    assert len(graded) == 1 and graded[0].startswith("graded 2024-01-15: ")
    assert st.warehouse.count(tables.PREDICTION_ACCURACY.fqn) > 1000
    assert loop_at(settings, st, clock).tick() == []
    assert len({b for b in st.warehouse.read(tables.PREDICTIONS.fqn, DAY, DAY)["batch_id"]}) == 1


def test_the_deadline_alarm_fires_for_a_scheduled_date_nobody_processed(night, caplog):
    settings, st = night
    assert schedule.has_games(st.warehouse, DAY) and not schedule.has_games(st.warehouse, date(2024, 1, 16))
    clock = [datetime(2024, 1, 15, 18, 30, tzinfo=ET)]
    loop = loop_at(settings.model_copy(update={"process_at": "23:00"}), st, clock)   # processors not due yet
    with caplog.at_level(logging.ERROR):
        assert loop.tick() == ["graded 2024-01-14: 0 predictions", "deadline check 2024-01-15: alarm_no_completions"]
    alarms = [r for r in caplog.records if getattr(r, "alert", None) == "phase4_no_completions"]
    assert len(alarms) == 1 and alarms[0].game_date == "2024-01-15"
    clock[0] = datetime(2024, 1, 16, 18, 30, tzinfo=ET)
    assert loop.tick()[-1] == "deadline check 2024-01-16: no_games"
