"""`daily` fetches what is configured before its night (`bin/pipeline`'s entry point in process, the
sources served locally): a feed that fails is one line naming feed, URL and status, the night
goes on with what is stored, and the command exits 1 at the end; what is not configured is
skipped with the reason; --no-fetch asks no source. A night here has no games, so the chain
itself ends quietly (tests/e2e/test_daily_fetches_the_night.py runs a whole one)."""
from __future__ import annotations

import json
from datetime import date

from devsupport.feed_sources import API_KEY, Fault
from shared import freshness
from shared.adapters.directory_store import DirectoryStore
from tests.support.cli import invoke as run
from tests.support.feeds import schedule_feed

QUIET_NIGHT = date(2024, 1, 15)           # the served schedule has games on the 16th only
EVENTS = "/v4/sports/basketball_nba/events"


def serve_schedule(sources, season) -> None:
    sources.schedule = json.dumps(schedule_feed(season, [date(2024, 1, 16)])).encode()


def test_a_failing_feed_is_one_line_the_night_goes_on_and_daily_exits_1(home, sources, season):
    serve_schedule(sources, season)
    sources.fail(EVENTS, *[Fault(500, b"upstream timeout", headers={"Retry-After": "0"})] * 3)

    night = run("daily", "--date", QUIET_NIGHT, home=home, env=sources.env())

    assert night.returncode == 1, night.stdout + night.stderr
    out = night.stdout.splitlines()
    assert out[0] == "2024-01-15: fetching schedule, box_scores, injuries, lines"     # the timetable's order
    assert out[1].startswith("downloaded ") and out[2].endswith(": 3 games, 2024-01-16..2024-01-16 (0 already final, "
                                                                "0 postponed)")
    assert out[3] == "box scores are stored through 2024-01-14: nothing to fetch before 2024-01-15"
    assert out[4] == "graded 2024-01-14: 0 predictions"
    assert out[-1] == "2024-01-15: no games scheduled; nothing to predict (import-schedule or fetch-schedule loads " \
                      "the league schedule)"
    errors = [line for line in night.stderr.splitlines() if line.startswith("error: ")]
    assert errors[0] == (f"error: injuries: {sources.injury_url}/: no report published in the 24 hours before "
                         "2024-01-15 23:59 ET (HTTP 403 for all 24 slots)")
    assert errors[1].startswith(f"error: lines: {sources.odds_url}/sports/basketball_nba/events?dateFormat=iso&")
    assert errors[1].endswith(": HTTP 500 (gave up after 3 attempts)")
    assert errors[2:] == ["error: 2024-01-15: ran on what was stored; not fetched: injuries, lines (the lines above "
                          "say why; bin/pipeline feeds shows each feed)"]
    assert len(sources.asked(EVENTS)) == 3
    assert API_KEY not in night.stdout + night.stderr
    store = DirectoryStore(home / "objects")
    assert freshness.read(store, "lines").failing and freshness.read(store, "injuries").failing
    assert not freshness.read(store, "schedule").failing


def test_what_is_not_configured_is_skipped_with_the_reason_and_no_fetch_asks_nothing(home, sources, season):
    serve_schedule(sources, season)
    env = {**sources.env(), "PIPELINE_FEEDS": "schedule,lines", "ODDS_API_KEY": ""}

    night = run("daily", "--date", QUIET_NIGHT, home=home, env=env)
    asked_by_daily = [r["path"] for r in sources.requests]
    stored = run("daily", "--date", QUIET_NIGHT, "--no-fetch", home=home, env=sources.env())

    assert night.returncode == 0, night.stdout + night.stderr
    assert night.stdout.splitlines()[:4] == ["box_scores: not fetched (not in PIPELINE_FEEDS)",
                                             "injuries: not fetched (not in PIPELINE_FEEDS)",
                                             "lines: not fetched (ODDS_API_KEY is not set)",
                                             "2024-01-15: fetching schedule"]
    assert asked_by_daily == ["/static/json/staticData/scheduleLeagueV2.json"]
    assert stored.returncode == 0, stored.stdout + stored.stderr
    assert "fetching" not in stored.stdout and len(sources.requests) == 1


def test_a_feed_name_that_is_not_one_is_refused_naming_the_setting(home):
    refused = run("daily", "--date", QUIET_NIGHT, home=home, env={"PIPELINE_FEEDS": "schedule,odds"})
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: configuration: PIPELINE_FEEDS='schedule,odds': Input should be "
                                     "'box_scores', 'schedule', 'injuries' or 'lines'")
