"""The league schedule as its own input: the real feed layout and the CSV, idempotent, moved
and postponed games, placeholders, bad files refused whole, box scores marking games final."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from ingest.importer import import_files
from ingest.importer.layouts import ImportValidationError
from ingest.importer.schedule import read_schedule, write_schedule
from shared import schedule, tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.slate.conftest import history_through
from tests.support.feeds import schedule_feed, write_json

DAY = date(2024, 1, 15)


@pytest.fixture
def wh(tmp_path, season):
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    import_files(wh, [history_through(season, date(2024, 1, 14), tmp_path / "history.csv")])
    yield wh
    wh.close()


def imported(wh, path):
    return write_schedule(wh, read_schedule(path))


def rows(wh, day):
    return wh.read(tables.SCHEDULE.fqn, day, day).sort_values("game_id").reset_index(drop=True)


def test_feed_import_is_idempotent_and_keeps_what_only_the_schedule_knows(wh, season, tmp_path):
    write_json(tmp_path / "s.json", schedule_feed(season, [DAY]))
    assert imported(wh, tmp_path / "s.json") == {"games": 11, "final": 0, "postponed": 0}
    first = rows(wh, DAY)
    assert imported(wh, tmp_path / "s.json")["games"] == 11
    assert rows(wh, DAY).equals(first)
    game = first.iloc[0]
    assert (game.status, game.source, bool(game.neutral)) == ("scheduled", "feed", False)
    assert str(game.tipoff_utc) == "2024-01-16 00:30:00+00:00"          # 7:30 pm ET is the next day in UTC
    assert schedule.has_games(wh, DAY)


def test_a_moved_game_leaves_its_old_date_and_a_postponed_one_is_not_predicted(wh, season, tmp_path):
    write_json(tmp_path / "s.json", schedule_feed(season, [DAY]))
    imported(wh, tmp_path / "s.json")
    games = rows(wh, DAY)["game_id"].tolist()
    feed = schedule_feed(season, [DAY], **{games[0]: {"gameDateEst": "2024-01-17T00:00:00Z",
                                                      "gameDateTimeEst": "2024-01-17T20:00:00Z"},
                                           games[1]: {"postponedStatus": "Y"}})
    write_json(tmp_path / "moved.json", feed)
    assert imported(wh, tmp_path / "moved.json")["postponed"] == 1
    assert games[0] not in set(rows(wh, DAY)["game_id"])
    assert rows(wh, date(2024, 1, 17))["game_id"].tolist() == [games[0]]
    assert len(schedule.playable(rows(wh, DAY))) == 9
    from processors.history import prepare_seasons, read_analytics, roster

    inputs = prepare_seasons(read_analytics(wh, DAY, DAY))[2023]
    teams = set(roster(inputs).query("game_date == @DAY")["team_abbr"])
    postponed = rows(wh, DAY).set_index("game_id").loc[games[1]]
    assert postponed.home_team_abbr not in teams and len(teams) == 18
    tips = schedule.team_tipoffs(wh, DAY, DAY)    # what grading, the ledger and news refresh compare with
    assert set(tips["team_abbr"]) == teams and len(tips) == 18


def test_placeholders_and_unpredicted_game_types_are_left_out(wh, season, tmp_path):
    feed = schedule_feed(season, [DAY])
    games = feed["leagueSchedule"]["gameDates"][0]["games"]
    games.append({**games[0], "gameId": "0012300001"})                               # preseason
    games.append({**games[0], "gameId": "0062300001", "gameLabel": "Emirates NBA Cup"})
    games.append({**games[0], "gameId": "0042300401", "homeTeam": {"teamId": 0, "teamTricode": ""}})
    write_json(tmp_path / "s.json", feed)
    parsed = read_schedule(tmp_path / "s.json")
    assert len(parsed.games) == 11
    assert parsed.skipped == {"preseason": 1, "cup_final": 1, "teams not decided yet": 1}


def test_box_scores_mark_a_scheduled_game_final_and_keep_its_neutral_site(wh, season, tmp_path):
    feed = schedule_feed(season, [DAY])
    first = feed["leagueSchedule"]["gameDates"][0]["games"][0]
    first.update(isNeutral=True, arenaName="T-Mobile Arena", gameLabel="Emirates NBA Cup")
    write_json(tmp_path / "s.json", feed)
    imported(wh, tmp_path / "s.json")
    season[season["GAME_DATE"] == DAY.isoformat()].to_csv(tmp_path / "night.csv", index=False)
    import_files(wh, [tmp_path / "night.csv"])
    after = rows(wh, DAY).set_index("game_id")
    assert set(after["status"]) == {"final"} and len(after) == 11
    game = after.loc[first["gameId"]]
    assert bool(game.neutral) and game.arena == "T-Mobile Arena" and game.source == "feed"
    assert imported(wh, tmp_path / "s.json")["final"] == 11                      # a re-import keeps them final
    assert set(rows(wh, DAY)["status"]) == {"final"}


def test_csv_layout(wh, tmp_path):
    (tmp_path / "s.csv").write_text("game_id,game_date,tipoff_et,home,away,neutral\n"
                                    "0022300555,2024-01-15,19:30,PHI,HOU,false\n"
                                    "0022300556,2024-01-15,,NYK,ORL,true\n")
    assert imported(wh, tmp_path / "s.csv")["games"] == 2
    got = rows(wh, DAY).set_index("game_id")
    assert str(got.loc["0022300555", "tipoff_utc"]) == "2024-01-16 00:30:00+00:00"
    assert bool(got.loc["0022300556", "neutral"]) and got.loc["0022300556", "source"] == "csv"


@pytest.mark.parametrize("edit, message", [
    (lambda g: g.update(gameId="22300555"), r"s.json:1: column gameDates\[0\].games\[0\].gameId = '22300555'"),
    (lambda g: g.update(gameDateEst="15/01/2024"), r"games\[0\].gameDateEst = '15/01/2024': not a date"),
    (lambda g: g["homeTeam"].update(teamTricode="XXX"), r"games\[0\].homeTeam.teamTricode = 'XXX': not an NBA"),
    (lambda g: g.update(isNeutral="maybe"), r"games\[0\].isNeutral = 'maybe': not true or false"),
])
def test_a_bad_feed_is_refused_whole_naming_row_and_field(wh, season, tmp_path, edit, message):
    feed = schedule_feed(season, [DAY])
    edit(feed["leagueSchedule"]["gameDates"][0]["games"][0])
    write_json(tmp_path / "s.json", feed)
    with pytest.raises(ImportValidationError, match=message):
        imported(wh, tmp_path / "s.json")
    assert rows(wh, DAY).empty


@pytest.mark.parametrize("text, message", [
    ("game_id,game_date,home,away\n", "column tipoff_et = '': required column missing"),
    ("game_id,game_date,tipoff_et,home,away,neutral\n0022300555,2024-1-15,19:30,PHI,HOU,false\n",
     "s.csv:2: column game_date = '2024-1-15'"),
    ("game_id,game_date,tipoff_et,home,away,neutral\n0022300555,2024-01-15,7:30pm,PHI,HOU,false\n",
     "column tipoff_et = '7:30pm': not a time"),
    ("game_id,game_date,tipoff_et,home,away,neutral\n0022300555,2024-01-15,19:30,PHI,PHI,false\n",
     "column away = 'PHI'"),
    ('{"leagueSchedule": {}}', "not the league schedule feed"),
])
def test_a_bad_csv_is_refused_whole(wh, tmp_path, text, message):
    path = tmp_path / ("s.json" if text.startswith("{") else "s.csv")
    path.write_text(text)
    with pytest.raises(ImportValidationError, match=message):
        imported(wh, path)
    assert rows(wh, DAY).empty


def test_processors_run_for_a_date_with_a_schedule_and_no_box_scores(wh, season, tmp_path):
    from processors.runner import nightly

    assert not schedule.has_games(wh, DAY)
    events = nightly(wh, None, DAY)
    assert {e.status for e in events} == {"no_data"}
    write_json(tmp_path / "s.json", schedule_feed(season, [DAY]))
    imported(wh, tmp_path / "s.json")
    events = nightly(wh, None, DAY)
    assert {e.status for e in events} == {"success"}
    assert wh.count(tables.ML_FEATURE_STORE.fqn) > 200


def test_fetch_schedule_downloads_the_feed_and_imports_it(season, sample_db, tmp_path):
    from tests.support.cli import invoke as run
    from tests.support.http_receiver import serve_bytes

    payload = json.dumps(schedule_feed(season, [DAY])).encode()
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_db, home / "warehouse.duckdb")
    with serve_bytes(payload, "/static/json/staticData/scheduleLeagueV2.json") as url:
        out = run("fetch-schedule", home=home, env={"PIPELINE_SCHEDULE_URL": url})
        assert out.returncode == 0, out.stderr
        assert f"downloaded {len(payload):,} bytes" in out.stdout and "11 games, 2024-01-15..2024-01-15" in out.stdout
        missing = run("fetch-schedule", home=home, env={"PIPELINE_SCHEDULE_URL": url + ".missing"})
    assert missing.returncode == 1 and "404" in missing.stderr
    kept = list((home / "objects" / "objects" / "raw" / "schedule").rglob("*_scheduleLeagueV2.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == payload            # the raw copy, in the object store
