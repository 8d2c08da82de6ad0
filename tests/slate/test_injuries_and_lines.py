"""The injury report and the sportsbooks' lines: the real layouts, names resolved with accents
folded and suffixes handled, unmatched names listed, bad files refused whole."""
from __future__ import annotations

import json
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
OUT = {"Jaren Jackson Jr.": "Injury/Illness - Left Ankle; Sprain", "Bogdan Bogdanović": "Rest"}


@pytest.fixture
def wh(tmp_path, season):
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    import_files(wh, [history_through(season, date(2024, 1, 14), tmp_path / "history.csv")])
    write_json(tmp_path / "s.json", schedule_feed(season, [DAY]))
    write_schedule(wh, read_schedule(tmp_path / "s.json"))
    yield wh
    wh.close()


def report_rows(wh):
    return wh.read(tables.INJURY_REPORT.fqn, DAY, DAY).sort_values("player_name").reset_index(drop=True)


def test_the_official_report_resolves_last_first_names_without_accents(wh, season, tmp_path):
    path = tmp_path / "Injury-Report_2024-01-15_05PM.csv"
    path.write_text(injury_report(season, DAY, OUT, questionable=["Jonas Valančiūnas"]))
    assert "Jackson Jr., Jaren" in path.read_text() and "Valanciunas, Jonas" in path.read_text()
    result = import_injuries(wh, path)
    assert (result.rows, result.out, result.unmatched) == (3, 2, [])
    got = report_rows(wh).set_index("player_name")
    assert got.loc["Jaren Jackson Jr.", "player_id"] == 1628991 and got.loc["Jaren Jackson Jr.", "team_abbr"] == "MEM"
    assert got.loc["Jonas Valanciunas", "status"] == "Questionable"
    assert str(got["as_of"].iloc[0]) == "2024-01-15 22:00:00+00:00"               # 5 pm ET from the file name
    import_injuries(wh, path)
    assert len(report_rows(wh)) == 3                                              # idempotent


def test_unmatched_names_are_kept_and_listed(wh, season, tmp_path):
    text = injury_report(season, DAY, OUT).replace("Bogdanovic, Bogdan", "Nobody, Some")
    (tmp_path / "r.csv").write_text(text)
    result = import_injuries(wh, tmp_path / "r.csv", pd.Timestamp("2024-01-15T22:00:00Z"))
    assert result.unmatched == ["Some Nobody (ATL)"]
    assert report_rows(wh)["player_id"].isna().sum() == 1


def test_plain_csv_report_by_id_or_by_name(wh, tmp_path):
    (tmp_path / "r.csv").write_text("player_id,player_name,team,status,as_of,reason\n"
                                    "1628991,,,Out,2024-01-15T12:00,Ankle\n"
                                    ",Luka Doncic,DAL,questionable,2024-01-15T12:00-05:00,\n")
    result = import_injuries(wh, tmp_path / "r.csv")
    assert (result.rows, result.out, result.unmatched) == (2, 1, [])
    got = report_rows(wh).set_index("player_name")
    assert got.loc["Luka Doncic", "player_id"] == 1629029 and got.loc["Luka Doncic", "status"] == "Questionable"
    assert set(report_rows(wh)["game_date"].dt.date) == {DAY}                 # the team's next game from the schedule


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('"Out"', '"Gone"', 1), r"r.csv:2: column Current Status = 'Gone': not one of Out"),
    (lambda t: t.replace("01/15/2024", "2024-01-15", 1), r"column Game Date = '2024-01-15': not a date"),
    (lambda t: t.replace("Memphis Grizzlies", "Memphis Hustle"), r"column Team = 'Memphis Hustle'"),
    (lambda t: t.replace("GSW@MEM", "GSW-MEM"), r"column Matchup = 'GSW-MEM': not AWAY@HOME"),
])
def test_a_bad_report_is_refused_whole(wh, season, tmp_path, edit, message):
    (tmp_path / "r.csv").write_text(edit(injury_report(season, DAY, OUT)))
    with pytest.raises(ImportValidationError, match=message):
        import_injuries(wh, tmp_path / "r.csv", pd.Timestamp("2024-01-15T22:00:00Z"))
    assert report_rows(wh).empty


def test_a_report_without_a_time_asks_for_one(wh, season, tmp_path):
    (tmp_path / "report.csv").write_text(injury_report(season, DAY, OUT))
    with pytest.raises(ImportValidationError, match="the report's time is unknown: give it"):
        import_injuries(wh, tmp_path / "report.csv")


def test_odds_api_events_in_american_or_decimal_prices(wh, season, tmp_path):
    names = {"Luka Dončić": 33.5, "Trae Young": 27.5, "Tyrese Maxey": 25.5}
    events = event_odds(season, DAY, {n: v for n, v in names.items()})
    events[0]["bookmakers"][0]["markets"].append({"key": "player_points_alternate", "outcomes": []})
    for e in events:
        for o in e["bookmakers"][0]["markets"][0]["outcomes"]:
            o["description"] = o["description"].replace("Dončić", "Doncic")          # books drop the accents
    write_json(tmp_path / "odds.json", events)
    result = import_lines(wh, tmp_path / "odds.json")
    assert (result.rows, result.players, result.unmatched) == (3, 3, [])
    assert result.skipped_markets == {"player_points_alternate": 1}
    lines = wh.read(tables.PROP_LINES.fqn, DAY, DAY).set_index("player_name")
    assert set(lines["game_date"].dt.date) == {DAY}                                  # commence 00:30Z is the 15th, ET
    luka = lines.loc["Luka Doncic"]
    assert luka.player_id == 1629029 and luka.team_abbr == "DAL" and luka.line == 33.5
    assert luka.over_price == pytest.approx(1 + 100 / 115) and luka.under_price == pytest.approx(1 + 100 / 105)
    decimal = json.loads((tmp_path / "odds.json").read_text())
    for o in decimal[0]["bookmakers"][0]["markets"][0]["outcomes"]:
        o["price"] = 1.87
    decimal[0]["bookmakers"][0]["last_update"] = decimal[0]["bookmakers"][0]["markets"][0]["last_update"] = \
        "2024-01-15T20:00:00Z"
    write_json(tmp_path / "later.json", decimal)
    import_lines(wh, tmp_path / "later.json")
    assert len(wh.read(tables.PROP_LINES.fqn, DAY, DAY)) == 3 + len(decimal[0]["bookmakers"][0]["markets"][0]
                                                                      ["outcomes"]) // 2


def test_plain_csv_lines(wh, tmp_path):
    (tmp_path / "l.csv").write_text("player_name,team,prop,line,over_price,under_price,book,as_of\n"
                                    "Trae Young,ATL,points,27.5,-110,-110,fanduel,2024-01-15T15:00:00Z\n"
                                    "Trae Young,ATL,assists,10.5,1.9,1.9,fanduel,2024-01-15T15:00:00Z\n")
    assert import_lines(wh, tmp_path / "l.csv").rows == 2


def test_a_batch_takes_the_latest_line_of_every_prop_and_the_manual_ones_win(wh, tmp_path):
    from datetime import UTC, datetime

    from coordinator import slate

    (tmp_path / "l.csv").write_text("player_name,team,prop,line,over_price,under_price,book,as_of\n"
                                    "Trae Young,ATL,points,27.5,-110,-110,fanduel,2024-01-15T15:00:00Z\n"
                                    "Trae Young,ATL,points,28.5,-115,-105,fanduel,2024-01-15T18:00:00Z\n"
                                    "Trae Young,ATL,assists,10.5,1.9,1.9,fanduel,2024-01-15T15:00:00Z\n"
                                    "Trae Young,ATL,threes,2.5,2.1,1.75,fanduel,2024-01-15T15:00:00Z\n"
                                    "Trae Young,ATL,pra,42.5,1.9,1.9,fanduel,2024-01-15T15:00:00Z\n")
    import_lines(wh, tmp_path / "l.csv")
    trae = int(wh.read(tables.PROP_LINES.fqn, DAY, DAY)["player_id"].iloc[0])
    at_six = datetime(2024, 1, 15, 23, 0, tzinfo=UTC)
    lines = slate.load(wh, DAY, at_six).lines[trae]
    assert {p: v["line"] for p, v in lines.items()} == {"points": 28.5, "assists": 10.5, "threes": 2.5, "pra": 42.5}
    assert lines["threes"]["over"] == 2.1 and lines["points"]["book"] == "fanduel"
    only = slate.load(wh, DAY, at_six, manual={trae: {"assists": 11.5}}, props=["assists", "rebounds"]).lines[trae]
    assert only == {"assists": {"line": 11.5, "book": "manual", "over": None, "under": None}}
    before = slate.load(wh, DAY, datetime(2024, 1, 15, 16, 0, tzinfo=UTC)).lines[trae]
    assert before["points"]["line"] == 27.5                    # the line known when the batch starts


@pytest.mark.parametrize("row, message", [
    ("Trae Young,ATL,dunks,1.5,-110,-110,fanduel,2024-01-15T15:00:00Z", "l.csv:3: column prop = 'dunks'"),
    ("Trae Young,ATL,points,27.5,-50,-110,fanduel,2024-01-15T15:00:00Z", "column over_price = '-50'"),
    ("Trae Young,XXX,points,27.5,-110,-110,fanduel,2024-01-15T15:00:00Z", "column team = 'XXX'"),
    ("Trae Young,ATL,points,27.5,-110,-110,fanduel,yesterday", "column as_of = 'yesterday'"),
    ("Trae Young,ATL,points,27.5,-110,-110,fanduel,2024-03-01T15:00:00Z", "ATL has no scheduled game"),
])
def test_bad_lines_are_refused_whole(wh, tmp_path, row, message):
    (tmp_path / "l.csv").write_text("player_name,team,prop,line,over_price,under_price,book,as_of\n"
                                    "Trae Young,ATL,points,27.5,-110,-110,fanduel,2024-01-15T15:00:00Z\n" + row + "\n")
    with pytest.raises(ImportValidationError, match=message.replace("(", r"\(")):
        import_lines(wh, tmp_path / "l.csv")
    assert wh.read(tables.PROP_LINES.fqn, DAY, DAY).empty
