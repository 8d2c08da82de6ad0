"""Tonight's inputs (injury report, lines, schedule) that no real feed sends are refused whole,
each problem one line naming file, row, field and value (or its length), and nothing is
written: free text past its cap or with control characters, dates outside the league's
life, an impossible date in a report's file name, JSON nested past what a parser can read,
a file too big to read whole."""
from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from ingest.importer import import_files
from ingest.importer.injuries import import_injuries
from ingest.importer.layouts import ImportValidationError
from ingest.importer.lines import import_lines
from ingest.importer.schedule import read_schedule, write_schedule
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.slate.conftest import history_through
from tests.support.feeds import event_odds, injury_report, schedule_feed, write_json

DAY = date(2024, 1, 15)
AT_FIVE = pd.Timestamp("2024-01-15T22:00:00Z")
OUT = {"Jaren Jackson Jr.": "Rest"}
LINES_HEADER = "player_name,team,prop,line,over_price,under_price,book,as_of\n"
GOOD_LINE = "Trae Young,ATL,points,27.5,-110,-110,fanduel,2024-01-15T15:00:00Z\n"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, season):
    """The box scores through the 14th and the schedule of the 15th, built once."""
    home = tmp_path_factory.mktemp("hostile")
    wh = DuckDBWarehouse(home / "w.duckdb")
    import_files(wh, [history_through(season, date(2024, 1, 14), home / "history.csv")])
    write_json(home / "s.json", schedule_feed(season, [DAY]))
    write_schedule(wh, read_schedule(home / "s.json"))
    wh.close()
    return home / "w.duckdb"


@pytest.fixture
def wh(prepared, tmp_path):
    shutil.copy(prepared, tmp_path / "w.duckdb")
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    yield wh
    wh.close()


def nothing_written(wh) -> None:
    for table in (tables.INJURY_REPORT, tables.PROP_LINES):
        assert wh.count(table.fqn) == 0, table.fqn


def refused(call, *fragments: str) -> str:
    with pytest.raises(ImportValidationError) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


# the injury report ---------------------------------------------------------------------------

def report(season, tmp_path, edit=lambda t: t, name="r.csv"):
    path = tmp_path / name
    path.write_text(edit(injury_report(season, DAY, OUT)))
    return path


def test_a_2_mb_reason_is_refused_with_one_line_naming_file_row_field_and_length(wh, season, tmp_path):
    path = report(season, tmp_path, lambda t: t.replace('"Rest"', '"' + "x" * 2_000_000 + '"'))
    message = refused(lambda: import_injuries(wh, path, AT_FIVE),
                      "r.csv:2: column Reason = 'xxxx", "(2,000,000 characters): longer than the 200 characters "
                                                        "allowed")
    assert len(message) < 1000                             # named by its length, not echoed
    nothing_written(wh)


def test_a_reason_of_200_characters_is_stored_whole(wh, season, tmp_path):
    reason = "Injury/Illness - Left Ankle; " + "s" * 171
    path = report(season, tmp_path, lambda t: t.replace('"Rest"', f'"{reason}"'))
    assert import_injuries(wh, path, AT_FIVE).rows == 1
    assert wh.read(tables.INJURY_REPORT.fqn, DAY, DAY)["reason"].tolist() == [reason]


@pytest.mark.parametrize("edit, fragment", [
    (lambda t: t.replace("Jackson Jr., Jaren", "Jackson Jr., Ja\x00ren"),
     "r.csv:2: column Player Name = 'Jackson Jr., Ja\\x00ren': contains the control character U+0000"),
    (lambda t: t.replace("Jackson Jr., Jaren", "Jackson Jr., " + "J" * 65),
     "column Player Name = 'Jackson Jr., JJJ"),
    (lambda t: t.replace('"Rest"', '"Rest\x1b[2J"'), "column Reason = 'Rest\\x1b[2J': contains the control "
                                                     "character U+001B"),
    (lambda t: t.replace("01/15/2024", "12/31/9999"), "r.csv:2: column Game Date = '12/31/9999': outside 1946-11-01.."),
    (lambda t: t.replace("01/15/2024", "01/01/0001"), "column Game Date = '01/01/0001': outside 1946-11-01.."),
])
def test_an_official_report_with_a_hostile_value_is_refused_whole(wh, season, tmp_path, edit, fragment):
    refused(lambda: import_injuries(wh, report(season, tmp_path, edit), AT_FIVE), fragment)
    nothing_written(wh)


@pytest.mark.parametrize("row, fragment", [
    ("1628991,,,Out,0000-01-01T00:00,,Rest", "r.csv:3: column as_of = '0000-01-01T00:00': outside 1946-11-01"),
    ("1628991,,,Out,9999-12-31T12:00,,Rest", "column as_of = '9999-12-31T12:00': outside 1946-11-01"),
    ("1628991,,,Out,2024-01-15T12:00,9999-12-31,Rest", "column game_date = '9999-12-31': outside 1946-11-01"),
    (",Luka\x00 Doncic,DAL,Out,2024-01-15T12:00,,Rest", "column player_name = 'Luka\\x00 Doncic': contains the "
                                                        "control character U+0000"),
    ("1628991,,,Out,2024-01-15T12:00,," + "r" * 201, "column reason = 'rrrr"),
])
def test_a_plain_report_with_a_hostile_value_is_refused_whole(wh, tmp_path, row, fragment):
    (tmp_path / "r.csv").write_text("player_id,player_name,team,status,as_of,game_date,reason\n"
                                    "1629029,,,Questionable,2024-01-15T12:00,,Ankle\n" + row + "\n")
    refused(lambda: import_injuries(wh, tmp_path / "r.csv"), fragment)
    nothing_written(wh)


@pytest.mark.parametrize("name, fragment", [
    ("Injury-Report_2024-02-30_05PM.csv", "column file name = '2024-02-30_05PM': not a real date and time"),
    ("Injury-Report_2024-01-15_13PM.csv", "column file name = '2024-01-15_13PM': not a real date and time"),
    ("Injury-Report_9999-12-31_05PM.csv", "column file name = '9999-12-31_05PM': outside 1946-11-01"),
])
def test_an_impossible_time_in_the_reports_file_name_is_refused(wh, season, tmp_path, name, fragment):
    refused(lambda: import_injuries(wh, report(season, tmp_path, name=name)), f"{name}:0: {fragment}")
    nothing_written(wh)


def test_a_report_imports_into_a_warehouse_that_has_no_tables_yet(season, tmp_path):
    wh = DuckDBWarehouse(tmp_path / "fresh.duckdb")
    try:
        result = import_injuries(wh, report(season, tmp_path), AT_FIVE)
        assert (result.rows, result.unmatched) == (1, ["Jaren Jackson Jr. (MEM)"])
    finally:
        wh.close()


# sportsbook lines ----------------------------------------------------------------------------

def odds(season, tmp_path, edit):
    events = event_odds(season, DAY, {"Trae Young": 27.5})
    edit(events[0])
    write_json(tmp_path / "odds.json", events)
    return tmp_path / "odds.json"


def market(event):
    return event["bookmakers"][0]["markets"][0]


@pytest.mark.parametrize("edit, fragment", [
    (lambda e: e.update(commence_time="9999-12-31T00:30:00Z"),
     "odds.json:1: column [0].commence_time = '9999-12-31T00:30:00Z': outside 1946-11-01"),
    (lambda e: market(e).update(last_update="0001-01-01T00:00:00Z"),
     "column [0].bookmakers[0].markets[0].last_update = '0001-01-01T00:00:00Z': outside 1946-11-01"),
    (lambda e: e["bookmakers"][0].update(key="b" * 65), "column [0].bookmakers[0].key = 'bbbb"),
    (lambda e: market(e)["outcomes"][0].update(description="Trae\x00Young"),
     "column [0].bookmakers[0].markets[0].outcomes[0].description = 'Trae\\x00Young': contains the control"),
    (lambda e: e["bookmakers"][0]["markets"].append({"key": "k" * 2_000_000, "outcomes": []}),
     "column [0].bookmakers[0].markets[1].key = 'kkkk"),
    (lambda e: e["bookmakers"].insert(0, 1), "column [0].bookmakers[0] = '1': not an object"),
    (lambda e: e["bookmakers"][0].update(markets="x"), "column [0].bookmakers[0].markets = 'x': not a list"),
    (lambda e: market(e)["outcomes"].insert(0, 5), "column [0].bookmakers[0].markets[0].outcomes[0] = '5': not an "
                                                   "object"),
])
def test_odds_with_a_hostile_value_are_refused_whole(wh, season, tmp_path, edit, fragment):
    message = refused(lambda: import_lines(wh, odds(season, tmp_path, edit)), fragment)
    assert len(message) < 1000
    nothing_written(wh)


@pytest.mark.parametrize("row, fragment", [
    ("Trae Young,ATL,points,27.5,-110,-110,fanduel,9999-12-31T15:00:00Z",
     "l.csv:3: column as_of = '9999-12-31T15:00:00Z': outside 1946-11-01"),
    ("Trae Young,ATL,points,27.5,-110,-110," + "f" * 2_000_000 + ",2024-01-15T15:00:00Z",
     "l.csv:3: column book = 'ffff"),
    ("Trae\x07Young,ATL,points,27.5,-110,-110,fanduel,2024-01-15T15:00:00Z",
     "column player_name = 'Trae\\x07Young': contains the control character U+0007"),
])
def test_csv_lines_with_a_hostile_value_are_refused_whole(wh, tmp_path, row, fragment):
    (tmp_path / "l.csv").write_text(LINES_HEADER + GOOD_LINE + row + "\n")
    refused(lambda: import_lines(wh, tmp_path / "l.csv"), fragment)
    nothing_written(wh)


def test_odds_nested_100k_deep_are_refused_not_a_recursion_error(wh, tmp_path):
    (tmp_path / "deep.json").write_text(DEEP)
    refused(lambda: import_lines(wh, tmp_path / "deep.json"), "deep.json:0:", "nested too deeply")
    nothing_written(wh)


# the schedule --------------------------------------------------------------------------------

def scheduled(wh):
    return wh.count(tables.SCHEDULE.fqn)


@pytest.mark.parametrize("edit, fragment", [
    (lambda g: g.update(gameDateEst="9999-12-31T00:00:00Z", gameDateTimeEst="9999-12-31T19:30:00Z"),
     "s.json:1: column gameDates[0].games[0].gameDateEst = '9999-12-31T00:00:00Z': outside 1946-11-01"),
    (lambda g: g.update(gameDateEst="0001-01-01T00:00:00Z", gameDateTimeEst="0001-01-01T00:30:00Z"),
     "column gameDates[0].games[0].gameDateEst = '0001-01-01T00:00:00Z': outside 1946-11-01"),
    (lambda g: g.update(arenaName="A" * 2_000_000), "column gameDates[0].games[0].arenaName = 'AAAA"),
    (lambda g: g.update(gameLabel="Cup\x00"), "gameLabel = 'Cup\\x00': contains the control character U+0000"),
    (lambda g: g.update(arenaName=["not", "text"]), "arenaName = \"['not', 'text']\": not text"),
    (lambda g: g.update(homeTeam=["PHI"]), "column gameDates[0].games[0].homeTeam = \"['PHI']\": not a team object"),
])
def test_a_feed_with_a_hostile_value_is_refused_whole(wh, season, tmp_path, edit, fragment):
    before = scheduled(wh)
    feed = schedule_feed(season, [DAY])
    edit(feed["leagueSchedule"]["gameDates"][0]["games"][0])
    write_json(tmp_path / "s.json", feed)
    message = refused(lambda: read_schedule(tmp_path / "s.json"), fragment)
    assert len(message) < 1000
    assert scheduled(wh) == before


def test_a_feed_whose_game_is_not_an_object_is_refused(tmp_path):
    (tmp_path / "s.json").write_text('{"leagueSchedule": {"gameDates": [{"games": [1]}]}}')
    refused(lambda: read_schedule(tmp_path / "s.json"), "s.json:1: column gameDates[0].games[0] = '1': not a game "
                                                        "object")


def test_a_csv_schedule_dated_9999_is_refused(tmp_path):
    (tmp_path / "s.csv").write_text("game_id,game_date,tipoff_et,home,away,neutral\n"
                                    "0022300555,9999-12-31,23:30,PHI,HOU,false\n")
    refused(lambda: read_schedule(tmp_path / "s.csv"), "s.csv:2: column game_date = '9999-12-31': outside 1946-11-01")


def test_a_schedule_nested_100k_deep_is_refused_not_a_recursion_error(tmp_path):
    (tmp_path / "deep.json").write_text('{"leagueSchedule": ' + DEEP + "}")
    refused(lambda: read_schedule(tmp_path / "deep.json"), "deep.json:0:", "nested too deeply")


# every importer ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, call", [
    ("Injury-Report_2024-01-15_05PM.csv", lambda wh, p: import_injuries(wh, p)),
    ("odds.json", lambda wh, p: import_lines(wh, p)),
    ("s.json", lambda wh, p: read_schedule(p)),
])
def test_a_file_over_64_mib_is_refused_before_it_is_read(wh, tmp_path, name, call):
    path = tmp_path / name
    with path.open("wb") as fh:
        fh.truncate(65 * 2**20)                  # sparse: big to stat, nothing on disk
    refused(lambda: call(wh, path), f"{name}:0:", "'65 MiB': more than the 64 MiB an import reads from one file")
    nothing_written(wh)


def test_every_refusal_quotes_a_long_value_by_its_start_and_length(tmp_path):
    (tmp_path / "s.csv").write_text("game_id,game_date,tipoff_et,home,away,neutral\n"
                                    f"0022300555,2024-01-15,19:30,{'P' * 100_000},HOU,false\n")
    message = refused(lambda: read_schedule(tmp_path / "s.csv"), "column home = 'PPPP", "(100,000 characters)")
    assert len(message) < 500
