"""replay-raw reads the stored responses again through the fetchers' own code, asking the
sources nothing: the rows come back as the fetch wrote them, every snapshot included."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from ingest import injuries, lines
from ingest.http import Http
from ingest.replay import replay
from shared import tables
from tests.ingest.test_lines import fetch as fetch_lines
from tests.support.injury_report_pdf import REPORT, pdf

NIGHT = date(2024, 1, 16)


def table(wh, fqn):
    keys = list(tables.get(fqn).key)
    return wh.read(fqn, NIGHT, NIGHT).sort_values(keys).reset_index(drop=True)


def emptied(wh, fqn) -> None:
    wh.query(f"DELETE FROM {fqn} WHERE game_date = DATE '2024-01-16'")
    assert table(wh, fqn).empty


def test_replaying_the_report_gives_back_its_rows(wh, store, sources, clock):
    sources.reports["Injury-Report_2024-01-16_05PM.pdf"] = pdf(REPORT)
    http = Http(injuries.FEED, injuries.POLICY, sleep=clock.sleep, now=clock.now)
    injuries.fetch(wh, store, http, sources.injury_url, NIGHT,
                   datetime(2024, 1, 16, 18, 0, tzinfo=ZoneInfo("America/New_York")), clock.now())
    fetched, asked = table(wh, tables.INJURY_REPORT.fqn), len(sources.requests)
    emptied(wh, tables.INJURY_REPORT.fqn)

    done = replay(wh, store, "injuries", NIGHT)

    assert [(r.responses, r.rows) for r in done] == [(1, 7)]
    pd.testing.assert_frame_equal(table(wh, tables.INJURY_REPORT.fqn), fetched)
    assert len(sources.requests) == asked


def test_replaying_two_snapshots_of_lines_gives_back_both(wh, store, sources, clock):
    fetch_lines(wh, store, sources, clock)
    event = next(iter(sources.event_odds.values()))
    event["bookmakers"][0]["markets"][0]["last_update"] = "2024-01-16T23:45:00Z"
    event["bookmakers"][0]["markets"][0]["outcomes"][0]["point"] = 40.5
    event["bookmakers"][0]["markets"][0]["outcomes"][1]["point"] = 40.5
    clock.sleep(1800)
    fetch_lines(wh, store, sources, clock)
    fetched = table(wh, tables.PROP_LINES.fqn)
    emptied(wh, tables.PROP_LINES.fqn)

    done = replay(wh, store, "lines", NIGHT)

    assert [(r.responses, r.rows) for r in done] == [(4, 26), (4, 26)]
    pd.testing.assert_frame_equal(table(wh, tables.PROP_LINES.fqn), fetched)
    assert len(fetched) == 26 + 3          # the updated market: its three lines at the new time


def test_nothing_stored_replays_nothing(wh, store):
    assert replay(wh, store, lines.FEED, NIGHT) == []
