"""fetch-schedule through the same fetch policy: the feed kept raw, faults as one line."""
from __future__ import annotations

import json
from datetime import date

import pytest

from devsupport.feed_sources import SCHEDULE_PATH, Fault, html_page
from ingest import schedule
from ingest.http import FeedError, Http
from ingest.replay import replay
from shared import freshness, tables
from tests.support.feeds import schedule_feed

NIGHT = date(2024, 1, 16)


def fetch(wh, store, sources, clock):
    http = Http(schedule.FEED, schedule.POLICY, sleep=clock.sleep, now=clock.now)
    return schedule.fetch(wh, store, http, sources.schedule_url, NIGHT, clock.now())


def games(wh):
    return wh.read(tables.SCHEDULE.fqn, NIGHT, NIGHT)


def test_429_then_the_feed_kept_raw_imported_and_replayable(wh, store, sources, clock, season):
    sources.schedule = json.dumps(schedule_feed(season, [NIGHT])).encode()
    sources.fail(SCHEDULE_PATH, Fault(429, headers={"Retry-After": "5"}))
    done = fetch(wh, store, sources, clock)

    assert clock.slept == [5.0] and done.counts["games"] == 3 and len(games(wh)) == 3
    assert store.read(done.raw_key).data == sources.schedule
    assert freshness.read(store, "schedule").covers == "2024-01-16..2024-01-16"
    assert [r.rows for r in replay(wh, store, "schedule", NIGHT)] == [3]


def test_an_html_page_is_one_line_and_no_game_is_written(wh, store, sources, clock):
    sources.fail(SCHEDULE_PATH, html_page())
    with pytest.raises(FeedError, match=r"^schedule: http://127\.0\.0\.1:\d+/static/json/staticData/scheduleLeagueV2"
                                        r"\.json: answered something that is not JSON: '<html>"):
        fetch(wh, store, sources, clock)
    assert games(wh).empty and freshness.read(store, "schedule").failing


def test_a_renamed_field_is_named(wh, store, sources, clock, season):
    feed = schedule_feed(season, [NIGHT])
    feed["leagueSchedule"]["gameDates"][0]["games"][0]["homeTeam"]["teamTricode"] = "XXX"
    sources.schedule = json.dumps(feed).encode()
    with pytest.raises(FeedError, match=r"field gameDates\[0\]\.games\[0\]\.homeTeam\.teamTricode = 'XXX'"):
        fetch(wh, store, sources, clock)
    assert games(wh).empty
