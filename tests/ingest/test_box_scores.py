"""fetch-box-scores: nba_api against the stats API served locally from a recorded response
in its real layout; the same rows as importing the same night from a file; faults."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from devsupport.feed_sources import FIXTURES, Fault, html_page
from ingest import box_scores
from ingest.http import FeedError, Http
from ingest.importer import import_files
from shared import freshness, tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse

NIGHT = date(2024, 1, 15)
PATH = "/stats/leaguegamelog"


def fetch(wh, store, sources, clock, start=NIGHT, end=NIGHT):
    http = Http(box_scores.FEED, box_scores.POLICY, sleep=clock.sleep, now=clock.now)
    return box_scores.fetch(wh, store, http, sources.stats_url, start, end, clock.now()), http


def rows(wh, table, day=NIGHT):
    keys = list(tables.get(table).key)
    return wh.read(table, day, day).drop(columns=["source_file"], errors="ignore").sort_values(keys)\
        .reset_index(drop=True)


def test_a_night_fetched_equals_the_same_night_imported_from_a_file(wh, store, sources, clock, season, tmp_path):
    done, _ = fetch(wh, store, sources, clock)

    assert (done.result.player_rows, done.result.games, done.requests) == (229, 11, 1)
    reference = DuckDBWarehouse(tmp_path / "reference.duckdb")
    season[season["GAME_DATE"] <= NIGHT.isoformat()].to_csv(tmp_path / "through.csv", index=False)
    import_files(reference, [tmp_path / "through.csv"])
    for table in (tables.PLAYER_GAME_SUMMARY.fqn, tables.TEAM_GAME_SUMMARY.fqn, tables.SCHEDULE.fqn):
        pd.testing.assert_frame_equal(rows(wh, table), rows(reference, table))
    # nba_api asked as the API wants: its browser headers, the player log of that season and day
    asked = sources.asked(PATH)
    assert len(asked) == 1 and asked[0]["args"] == {
        "Counter": "0", "DateFrom": "01/15/2024", "DateTo": "01/15/2024", "Direction": "ASC", "LeagueID": "00",
        "PlayerOrTeam": "P", "Season": "2023-24", "SeasonType": "Regular Season", "Sorter": "DATE"}
    assert asked[0]["headers"]["Referer"] == "https://www.nba.com/"
    assert asked[0]["headers"]["User-Agent"].startswith("Mozilla/5.0")


def test_the_raw_response_is_kept_before_reading_and_a_refetch_changes_no_row(wh, store, sources, clock):
    first, _ = fetch(wh, store, sources, clock)
    before = rows(wh, tables.PLAYER_GAME_SUMMARY.fqn)
    clock.sleep(3600)
    second, _ = fetch(wh, store, sources, clock)

    assert len(first.raw_keys) == 1 and first.raw_keys[0].startswith("raw/box_scores/2024-01-15/20240116T110000.")
    assert first.raw_keys[0].endswith("_2023-24_regular.json") and first.raw_keys != second.raw_keys
    kept = json.loads(store.read(first.raw_keys[0]).data)
    assert kept["resultSets"][0]["headers"][-2:] == ["FANTASY_PTS", "VIDEO_AVAILABLE"]   # the API's extra columns
    assert len(kept["resultSets"][0]["rowSet"]) == 229
    pd.testing.assert_frame_equal(rows(wh, tables.PLAYER_GAME_SUMMARY.fqn), before)
    status = freshness.read(store, "box_scores")
    assert (status.rows, status.covers, status.last_error) == (229, "2024-01-15..2024-01-15", None)


def test_play_in_and_playoffs_are_asked_for_in_april_and_labelled_by_their_game_ids(wh, store, sources, clock):
    done, _ = fetch(wh, store, sources, clock, date(2023, 4, 16), date(2023, 4, 16))

    assert sorted(r["args"]["SeasonType"] for r in sources.asked(PATH)) == ["PlayIn", "Playoffs", "Regular Season"]
    assert {r["args"]["Season"] for r in sources.asked(PATH)} == {"2022-23"}
    stored = wh.read(tables.PLAYER_GAME_SUMMARY.fqn, date(2023, 4, 16), date(2023, 4, 16))
    assert done.result.player_rows == len(stored) == 19
    assert set(stored["season_type"]) == {"playoffs"} and set(stored["game_id"]) == {"0042200101"}
    assert set(stored["opponent_abbr"]) == {"MIA", "MIL"}


def test_a_range_across_a_season_boundary_asks_each_season_for_its_own_dates():
    plan = box_scores.plan(date(2023, 6, 10), date(2023, 10, 24))
    assert [(r.season, r.season_type, r.start, r.end) for r in plan] == [
        ("2022-23", "regular", date(2023, 6, 10), date(2023, 9, 30)),
        ("2022-23", "playin", date(2023, 6, 10), date(2023, 9, 30)),
        ("2022-23", "playoffs", date(2023, 6, 10), date(2023, 9, 30)),
        ("2023-24", "regular", date(2023, 10, 1), date(2023, 10, 24)),
        ("2023-24", "playin", date(2023, 10, 1), date(2023, 10, 24)),
        ("2023-24", "playoffs", date(2023, 10, 1), date(2023, 10, 24))]
    assert [r.season_type for r in box_scores.plan(date(2024, 1, 1), date(2024, 1, 15))] == ["regular"]
    assert box_scores.season_of(date(2020, 10, 11)) == "2019-20"      # the bubble's Finals
    assert box_scores.season_of(date(2020, 12, 22)) == "2020-21"


def test_default_range_runs_from_the_day_after_the_last_stored_game_through_yesterday(wh):
    assert box_scores.default_range(wh, date(2024, 1, 16)) == (date(2024, 1, 15), date(2024, 1, 15))


def test_429_then_success_waits_what_retry_after_says(wh, store, sources, clock):
    sources.fail(PATH, Fault(429, b'{"message": "slow down"}', "application/json", {"Retry-After": "7"}))
    done, http = fetch(wh, store, sources, clock)

    assert clock.slept == [7.0] and len(sources.asked(PATH)) == 2
    assert done.result.player_rows == 229


def test_500_three_times_gives_up_and_writes_nothing(wh, store, sources, clock):
    sources.fail(PATH, Fault(500), Fault(500), Fault(500))
    with pytest.raises(FeedError) as failed:
        fetch(wh, store, sources, clock)

    assert str(failed.value).startswith(f"box_scores: {sources.stats_url}/leaguegamelog?Counter=0&DateFrom=01")
    assert str(failed.value).endswith(": HTTP 500 (gave up after 3 attempts)")
    assert clock.slept == [1.0, 2.0]
    assert rows(wh, tables.PLAYER_GAME_SUMMARY.fqn).empty and store.list("raw/") == []
    status = freshness.read(store, "box_scores")
    assert status.last_success_at is None and status.failing and "HTTP 500" in status.last_error


def test_an_html_page_instead_of_json_is_one_line_naming_it(wh, store, sources, clock):
    sources.fail(PATH, html_page())
    with pytest.raises(FeedError, match=r"^box_scores: http://127\.0\.0\.1:\d+/stats/leaguegamelog\?.*: answered "
                                        r"something that is not JSON: '<html><head><title>Access Denied"):
        fetch(wh, store, sources, clock)
    assert rows(wh, tables.PLAYER_GAME_SUMMARY.fqn).empty
    assert len(store.list("raw/box_scores/")) == 1       # what the source said is kept, for the record


def test_a_renamed_column_names_the_field_and_writes_nothing(wh, store, sources, clock):
    recorded = json.loads((FIXTURES / "stats_leaguegamelog_players.json").read_text())
    headers = recorded["resultSets"][0]["headers"]
    headers[headers.index("PTS")] = "POINTS"
    sources.fail(PATH, Fault(200, json.dumps(recorded).encode(), "application/json"))
    with pytest.raises(FeedError, match=r": field PTS missing from resultSets\[0\]\.headers"):
        fetch(wh, store, sources, clock)
    assert rows(wh, tables.PLAYER_GAME_SUMMARY.fqn).empty


def test_a_bad_value_names_the_row_and_field(wh, store, sources, clock):
    recorded = json.loads((FIXTURES / "stats_leaguegamelog_players.json").read_text())
    rows_ = [r for r in recorded["resultSets"][0]["rowSet"] if r[7] == "2024-01-15"]
    rows_[3][recorded["resultSets"][0]["headers"].index("FGM")] = "many"
    recorded["resultSets"][0]["rowSet"] = rows_
    sources.fail(PATH, Fault(200, json.dumps(recorded).encode(), "application/json"))
    with pytest.raises(FeedError, match=r"resultSets\[0\]\.rowSet\[3\] field FGM = 'many': not a whole number"):
        fetch(wh, store, sources, clock)
    assert rows(wh, tables.PLAYER_GAME_SUMMARY.fqn).empty
