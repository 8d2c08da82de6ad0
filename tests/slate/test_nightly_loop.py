"""`serve` left running over a simulated night: its loop runs the night's timetable on an
injected clock against the four feeds served locally. The morning fetches the schedule and
yesterday's box scores (a source answering garbage fails that step, logged and recorded,
and the rest runs on), grades yesterday, waits for the processors' inputs, runs them once
the day's injury report is in and the first tip-off is near (then never again), lets the
orchestrator start one batch, checks the deadline, stops fetching after the last tip, and
grades the night the next morning; nothing runs twice, not even after a restart. The
deadline alarm fires for a scheduled date whose processors never became ready."""
from __future__ import annotations

import json
import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bin import night_steps
from bin import stack as local
from bin.nightly import Nightly
from coordinator.refresh import refresh
from coordinator.service import status_for_date
from devsupport.feed_sources import Sources, html_page
from ingest.importer import import_files
from ingest.importer.schedule import read_schedule, write_schedule
from shared import freshness, tables
from shared.config import Settings
from tests.slate.conftest import history_through
from tests.support.feeds import schedule_feed, write_json
from tests.support.injury_report_pdf import pdf

NIGHT = date(2024, 1, 16)          # a Tuesday; the stats API's recorded answer holds the 15th's games
ET = ZoneInfo("America/New_York")


@pytest.fixture
def sources(season):
    with Sources() as served:
        served.schedule = json.dumps(schedule_feed(season, [date(2024, 1, 15), NIGHT])).encode()
        served.reports["Injury-Report_2024-01-16_05PM.pdf"] = pdf()
        yield served


@pytest.fixture
def night(season, sources, tmp_path):
    """A warehouse holding the season through the 14th; the feeds served on 127.0.0.1."""
    settings = Settings.from_env({"PIPELINE_HOME": str(tmp_path / "home"),
                                  "PIPELINE_AUTH_TOKEN": "test-token-0123456789", **sources.env()})
    st = local.start(settings, start_dispatcher=False)
    import_files(st.warehouse, [history_through(season, date(2024, 1, 14), tmp_path / "history.csv")])
    yield settings, st
    st.stop()


def loop_at(settings, st, clock, steps=night_steps.STEPS):
    return Nightly(settings, st.warehouse, st.store, st.bus,
                   lambda days: st.orchestrator.orchestrator.check_deadlines(days, st.orchestrator.has_games),
                   clock=lambda: clock[0], steps=steps)


def ran(lines: list[str]) -> list[str]:
    return [line.split(":")[0] for line in lines]


def test_a_simulated_night_runs_itself(night, sources, season, tmp_path):
    settings, st = night
    sources.fail("/stats/leaguegamelog", html_page())                # the stats API's first answer is garbage
    clock = [datetime(2024, 1, 16, 4, 0, tzinfo=ET)]
    loop = loop_at(settings, st, clock)
    assert loop.tick() == []                                          # nothing is due at 4 am on a Tuesday

    clock[0] = datetime(2024, 1, 16, 5, 20, tzinfo=ET)
    morning = loop.tick()
    assert ran(morning) == ["schedule", "box-scores"]
    assert morning[0].endswith(": 14 games, 2024-01-15..2024-01-16 (0 already final, 0 postponed)")
    assert morning[1].startswith("box-scores: failed: box_scores: http://127.0.0.1:")
    assert "answered something that is not JSON" in morning[1]
    assert freshness.read(st.store, "box_scores").failing                 # recorded where `feeds` shows it

    clock[0] = datetime(2024, 1, 16, 5, 50, tzinfo=ET)
    assert loop.tick() == ["grade: graded 2024-01-15: 0 predictions"]             # nothing was predicted
    clock[0] = datetime(2024, 1, 16, 6, 20, tzinfo=ET)                  # the next hour's try finds them
    boxes = loop.tick()
    assert boxes[0].startswith("box-scores: box scores 2024-01-15..2024-01-15: 229 player-games, 22 team-games, "
                               "11 games from 1 request(s)")
    clock[0] = datetime(2024, 1, 16, 9, 10, tzinfo=ET)
    assert loop.tick() == ["box-scores: box scores are stored through 2024-01-15: nothing to fetch before 2024-01-16",
                           "grade: graded 2024-01-15: 0 predictions",
                           "processors: waiting until 17:30 ET (2 h before the first tip-off at 19:30 ET)"]

    clock[0] = datetime(2024, 1, 16, 17, 20, tzinfo=ET)                # missed hours: each step runs once
    afternoon = loop.tick()
    assert ran(afternoon) == ["box-scores", "grade", "injuries", "lines", "processors", "deadline-check"]
    assert afternoon[2].startswith("injuries: failed: injuries: ") and "no report published" in afternoon[2]
    assert afternoon[3].startswith("lines: lines for 2024-01-16: 26 lines for 10 players from 2 book(s), 3 event(s)")
    assert afternoon[4] == "processors: waiting until 17:30 ET (2 h before the first tip-off at 19:30 ET)"
    assert afternoon[5] == "deadline-check: the deadline for 2024-01-16 is 19:00 ET"
    assert st.warehouse.count(tables.PROCESSOR_RUNS.fqn) == 0

    clock[0] = datetime(2024, 1, 16, 17, 35, tzinfo=ET)                # the 05PM report is out at 5:30 pm
    ready = loop.tick()
    assert ran(ready) == ["injuries", "lines", "processors", "deadline-check"]
    assert ready[0] == ("injuries: Injury-Report_2024-01-16_05PM: 7 players listed (3 out), as of 2024-01-16 17:00 "
                        "ET (1 slot(s) asked); not yet submitted: SAC")
    assert ready[2] == ("processors: ready: box scores of 2024-01-15 in (11 games), newest injury report as of "
                        "17:00 ET, first tip-off 19:30 ET; processors for 2024-01-16: success")
    st.bus.drain()                                                    # orchestrator -> batch -> workers
    batch = status_for_date(st.coordinator, NIGHT)
    assert batch["state"] == "finished" and batch["completed"] == batch["expected"] - batch["skipped"] > 50

    clock[0] = datetime(2024, 1, 16, 17, 45, tzinfo=ET)
    again = loop.tick()
    assert ran(again) == ["injuries", "processors", "deadline-check"]
    assert again[1].startswith("processors: processors already ran for 2024-01-16 (finished ")
    clock[0] = datetime(2024, 1, 16, 19, 5, tzinfo=ET)
    assert "deadline-check: deadline check 2024-01-16: already_triggered" in loop.tick()
    clock[0] = datetime(2024, 1, 16, 23, 59, tzinfo=ET)
    listings = len(sources.asked("/v4/sports/basketball_nba/events"))
    late = loop.tick()
    assert ran(late) == ["injuries", "lines", "processors", "deadline-check", "monitor"]
    assert late[0] == "injuries: injuries: every game of 2024-01-16 has tipped off (the last at 19:30 ET): " \
                      "nothing fetched"
    assert len(sources.asked("/v4/sports/basketball_nba/events")) == listings   # no fetch after the last tip
    assert loop_at(settings, st, clock).tick() == []                             # a restarted serve: nothing again

    season[season["GAME_DATE"] == NIGHT.isoformat()].to_csv(tmp_path / "night.csv", index=False)
    import_files(st.warehouse, [tmp_path / "night.csv"])                          # the night's box scores arrive
    clock[0] = datetime(2024, 1, 17, 6, 0, tzinfo=ET)
    next_morning = loop_at(settings, st, clock).tick()
    assert ran(next_morning) == ["schedule", "box-scores", "grade"]
    assert next_morning[1] == "box-scores: box scores are stored through 2024-01-16: nothing to fetch before 2024-01-17"
    assert next_morning[2].startswith("grade: graded 2024-01-16: ") and "no box scores yet" not in next_morning[2]
    assert st.warehouse.count(tables.PREDICTION_ACCURACY.fqn) > 100
    assert len({b for b in st.warehouse.read(tables.PREDICTIONS.fqn, NIGHT, NIGHT)["batch_id"]}) == 1


def test_a_fetch_that_cannot_start_is_recorded_and_the_night_goes_on(night, tmp_path):
    settings, st = night
    no_key = settings.model_copy(update={"odds_api_key": None})
    clock = [datetime(2024, 1, 16, 17, 35, tzinfo=ET)]
    steps = tuple(night_steps.BY_NAME[n] for n in ("schedule", "box-scores", "injuries", "lines", "processors"))
    done = loop_at(no_key, st, clock, steps).tick()
    assert ran(done) == ["schedule", "box-scores", "injuries", "lines", "processors"]
    assert done[3] == "lines: failed: lines: ODDS_API_KEY is not set: the odds API needs a key (on Google Cloud it " \
                      "comes from Secret Manager)"
    assert freshness.read(st.store, "lines").last_error.startswith("ODDS_API_KEY is not set")
    assert done[4].startswith("processors: ready: ") and done[4].endswith("processors for 2024-01-16: success")


def test_the_deadline_alarm_fires_for_a_scheduled_date_whose_processors_never_became_ready(night, season, tmp_path,
                                                                                         caplog):
    settings, st = night
    write_json(tmp_path / "s.json", schedule_feed(season, [date(2024, 1, 15), NIGHT]))
    write_schedule(st.warehouse, read_schedule(tmp_path / "s.json"))           # the 15th's box scores never come
    clock = [datetime(2024, 1, 16, 19, 5, tzinfo=ET)]
    steps = (night_steps.BY_NAME["processors"], night_steps.BY_NAME["deadline-check"])
    with caplog.at_level(logging.ERROR):
        assert loop_at(settings, st, clock, steps).tick() == [
            "processors: box scores of 2024-01-15 not in yet: 11 of 11 games missing (0022300555, 0022300556, "
            "0022300557, 0022300558, 0022300559 ...)",
            "deadline-check: deadline check 2024-01-16: alarm_no_completions"]
    alarms = [r for r in caplog.records if getattr(r, "alert", None) == "phase4_no_completions"]
    assert len(alarms) == 1 and alarms[0].game_date == "2024-01-16"
    clock[0] = datetime(2024, 1, 17, 19, 5, tzinfo=ET)
    assert loop_at(settings, st, clock, steps).tick() == [
        "processors: no games scheduled on 2024-01-17: nothing to process",
        "deadline-check: deadline check 2024-01-17: no_games"]


def test_a_later_report_re_predicts_by_itself(night, sources, tmp_path):
    """serve's loop: the batch ran from the 05PM report; the 06PM report rules Jokic Out, and
    the next injuries fetch withdraws him and re-predicts Denver, without a command."""
    from coordinator import news
    from tests.support.injury_report_pdf import REPORT, build

    settings, st = night
    clock = [datetime(2024, 1, 16, 17, 35, tzinfo=ET)]
    steps = tuple(night_steps.BY_NAME[n] for n in ("schedule", "box-scores", "injuries", "processors"))
    loop = Nightly(settings, st.warehouse, st.store, st.bus,
                   lambda days: st.orchestrator.orchestrator.check_deadlines(days, st.orchestrator.has_games),
                   clock=lambda: clock[0], steps=steps, refresh=lambda day, at: refresh(st.coordinator, day, at))
    assert loop.tick()[-1].endswith("processors for 2024-01-16: success")
    st.bus.drain()
    first = status_for_date(st.coordinator, NIGHT)["batch_id"]
    later = [row if row[4] != "Jokic, Nikola" else [*row[:5], "Out", row[6]] for row in REPORT]
    sources.reports["Injury-Report_2024-01-16_06PM.pdf"] = build(later, "01/16/24 06:00 PM", rows_per_page=4)
    clock[0] = datetime(2024, 1, 16, 18, 35, tzinfo=ET)
    said = loop.tick()
    assert ran(said) == ["injuries", "processors"]
    assert "injury report 2024-01-16 06:00 PM ET: 1 status change(s); batch " in said[0], said[0]
    assert "re-predicts" in said[0] and "of DEN (version 2); 1 withdrawn" in said[0]
    st.bus.drain()
    effect, = news.effects(st.store, NIGHT)
    assert effect.parent_batch_id == first and effect.reason == "injury report 06:00 PM: Nikola Jokic Out"
    rows = st.warehouse.read(tables.PREDICTIONS.fqn, NIGHT, NIGHT)
    assert st.coordinator.batches.batch(effect.batch_id)[0].state == "finished"
    assert set(rows.loc[rows["batch_id"] == effect.batch_id, "team_abbr"]) == {"DEN"}
    assert set(rows.loc[rows["player_id"] == 203999, "withdrawn_reason"]) == {effect.reason}
    clock[0] = datetime(2024, 1, 16, 18, 50, tzinfo=ET)
    assert "re-predicts" not in loop.tick()[0]                                    # the same report: nothing again
    assert len(news.effects(st.store, NIGHT)) == 1
