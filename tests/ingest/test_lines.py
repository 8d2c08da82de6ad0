"""fetch-lines: requests against the odds API v4 served locally from recorded events and event
odds in their real layouts; the rows equal `import-lines` of the same event odds; snapshots;
the key never leaves the request."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from devsupport.feed_sources import API_KEY, FIXTURES, Fault, html_page
from ingest import lines
from ingest.http import FeedError, Http
from ingest.importer.lines import import_lines
from shared import freshness, tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse

NIGHT = date(2024, 1, 16)
EVENTS = "/v4/sports/basketball_nba/events"


def fetch(wh, store, sources, clock, base=None, key=API_KEY):
    http = Http(lines.FEED, lines.POLICY, sleep=clock.sleep, now=clock.now, secrets=[key])
    return lines.fetch(wh, store, http, base or sources.odds_url, key, NIGHT, clock.now())


def stored(wh):
    return wh.read(tables.PROP_LINES.fqn, NIGHT, NIGHT).drop(columns=["source_file"])\
        .sort_values(["book", "prop", "player_name", "as_of"]).reset_index(drop=True)


def test_the_nights_lines_fetched_equal_the_same_event_odds_imported(wh, store, sources, clock, home, tmp_path):
    reference_path = tmp_path / "reference.duckdb"
    shutil.copy(home / "warehouse.duckdb", reference_path)

    done = fetch(wh, store, sources, clock)

    assert (done.events, done.books, done.requests_remaining) == (3, 2, "465")
    recorded = json.loads((FIXTURES / "odds_event_odds_2024-01-16.json").read_text())
    (tmp_path / "odds.json").write_text(json.dumps(recorded))
    reference = DuckDBWarehouse(reference_path)
    assert import_lines(reference, tmp_path / "odds.json").rows == done.rows == 26
    pd.testing.assert_frame_equal(stored(wh), stored(reference))
    assert set(stored(wh)["book"]) == {"draftkings", "fanduel"} and set(stored(wh)["prop"]) == {"points", "rebounds"}
    listing = sources.asked(EVENTS)[0]["args"]
    assert listing == {"apiKey": API_KEY, "dateFormat": "iso", "commenceTimeFrom": "2024-01-16T05:00:00Z",
                       "commenceTimeTo": "2024-01-17T04:59:59Z"}
    odds = [r for r in sources.requests if r["path"].endswith("/odds")]
    assert len(odds) == 3 and odds[0]["args"]["regions"] == "us" and odds[0]["args"]["markets"] == (
        "player_points,player_rebounds,player_assists,player_threes,player_points_rebounds_assists")
    assert [k.rsplit("_", 1)[-1] for k in done.raw_keys] == ["events.json"] + [
        f"event-{e['id']}.json" for e in recorded]
    status = freshness.read(store, "lines")
    assert (status.rows, status.notes) == (26, {"requests_remaining": "465"})
    assert API_KEY not in json.dumps(status.model_dump(mode="json"))


def test_each_fetch_is_a_snapshot_and_a_refetch_of_unchanged_lines_changes_nothing(wh, store, sources, clock):
    fetch(wh, store, sources, clock)
    first = stored(wh)
    clock.sleep(1800)
    fetch(wh, store, sources, clock)
    pd.testing.assert_frame_equal(stored(wh), first)

    event = next(iter(sources.event_odds.values()))
    book = event["bookmakers"][0]
    book["last_update"] = book["markets"][0]["last_update"] = "2024-01-16T23:45:00Z"
    for outcome in book["markets"][0]["outcomes"]:
        outcome["point"] += 1
    clock.sleep(1800)
    fetch(wh, store, sources, clock)

    moved = stored(wh)
    assert len(moved) == len(first) + 3            # the moved lines are new rows; the earlier ones stay
    embiid = moved[(moved["player_name"] == "Joel Embiid") & (moved["book"] == "draftkings")]
    assert embiid[["as_of", "line"]].values.tolist() == [
        [pd.Timestamp("2024-01-16 18:00", tz="UTC"), 34.5], [pd.Timestamp("2024-01-16 23:45", tz="UTC"), 35.5]]
    assert len({k.split("/")[3].split("_")[0] for k in store.list("raw/lines/2024-01-16/")}) == 3


def test_429_then_success_honours_retry_after(wh, store, sources, clock):
    sources.fail(EVENTS, Fault(429, json.dumps({"message": "Requests are being made too quickly"}).encode(),
                               "application/json", {"Retry-After": "2"}))
    done = fetch(wh, store, sources, clock)
    assert clock.slept == [2.0] and done.rows == 26


def test_an_html_page_instead_of_event_odds_writes_nothing(wh, store, sources, clock):
    event_id = next(iter(sources.event_odds))
    sources.fail(f"{EVENTS}/{event_id}/odds", html_page("Service Unavailable"))
    with pytest.raises(FeedError) as failed:
        fetch(wh, store, sources, clock)
    message = str(failed.value)
    assert message.startswith(f"lines: {sources.odds_url}/sports/basketball_nba/events/{event_id}/odds?regions=us&")
    assert "answered something that is not JSON: '<html><head><title>Service Unavailable" in message
    assert API_KEY not in message and stored(wh).empty


def test_a_renamed_field_is_named(wh, store, sources, clock):
    event_id = next(iter(sources.event_odds))
    renamed = {("books" if k == "bookmakers" else k): v for k, v in sources.event_odds[event_id].items()}
    sources.fail(f"{EVENTS}/{event_id}/odds", Fault(200, json.dumps(renamed).encode(), "application/json"))
    with pytest.raises(FeedError, match=r"field bookmakers missing: not the odds API's event odds"):
        fetch(wh, store, sources, clock)
    assert stored(wh).empty


def test_a_refused_key_is_one_line_without_the_key(wh, store, sources, clock):
    with pytest.raises(FeedError) as failed:
        fetch(wh, store, sources, clock, key="not-the-key-123")
    assert str(failed.value) == (f"lines: {sources.odds_url}/sports/basketball_nba/events?dateFormat=iso&"
                                 "commenceTimeFrom=2024-01-16T05:00:00Z&commenceTimeTo=2024-01-17T04:59:59Z: "
                                 "HTTP 401 (API key is not valid, check your API key)")
    assert clock.slept == []                         # a refusal is not retried


def test_a_source_that_is_down_gives_up_after_three_attempts_without_showing_the_key(wh, store, sources, clock):
    with pytest.raises(FeedError) as failed:
        fetch(wh, store, sources, clock, base="http://127.0.0.1:9/v4")
    message = str(failed.value)
    assert message.startswith("lines: http://127.0.0.1:9/v4/sports/basketball_nba/events?dateFormat=iso")
    assert "cannot connect" in message and message.endswith("(gave up after 3 attempts)")
    assert API_KEY not in message and clock.slept == [1.0, 2.0]
    assert freshness.read(store, "lines").failing


def test_the_day_window_is_the_eastern_day():
    assert lines.day_window(date(2024, 7, 4)) == ("2024-07-04T04:00:00Z", "2024-07-05T03:59:59Z")   # EDT
    assert datetime(2024, 1, 17, 0, 30, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ") <= lines.day_window(NIGHT)[1]
