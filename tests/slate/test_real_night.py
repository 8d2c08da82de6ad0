"""A real night, end to end, as a user runs it: box scores through 2024-01-14, the league
schedule of 2024-01-15, an injury report with two players out, lines for a dozen players ->
`run --date 2024-01-15` -> tonight's slate without the out players and with priced lines;
then that night's box scores -> `grade` -> accuracy rows."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.slate.conftest import history_through
from tests.support.cli import invoke as run
from tests.support.feeds import event_odds, injury_report, schedule_feed, write_json

DAY = date(2024, 1, 15)
OUT = {"Jaren Jackson Jr.": "Injury/Illness - Left Ankle; Sprain", "Bogdan Bogdanović": "Rest"}
LINES = {"Shai Gilgeous-Alexander": 31.5, "Luka Dončić": 33.5, "Trae Young": 27.5, "Tyrese Maxey": 25.5,
         "Jalen Brunson": 26.5, "Julius Randle": 24.5, "Donovan Mitchell": 27.5, "Kyrie Irving": 25.5,
         "Zion Williamson": 22.5, "Anthony Davis": 24.5, "Jayson Tatum": 26.5, "Paolo Banchero": 22.5}


def ok(out):
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return out.stdout


@pytest.mark.e2e
def test_tonight_is_predicted_from_the_schedule_then_graded_in_the_morning(season, tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    history_through(season, date(2024, 1, 14), work / "history.csv")
    write_json(work / "scheduleLeagueV2.json", schedule_feed(season, [DAY]))
    (work / "Injury-Report_2024-01-15_05PM.csv").write_text(
        injury_report(season, DAY, OUT, questionable=["Jonas Valančiūnas"]))
    write_json(work / "odds.json", event_odds(season, DAY, LINES))
    ok(run("import", "history.csv", home=home, cwd=work))
    ok(run("backfill", "--start", "2023-10-01", "--end", "2024-01-14", home=home, cwd=work))
    assert "11 games, 2024-01-15..2024-01-15" in ok(run("import-schedule", "scheduleLeagueV2.json", home=home,
                                                          cwd=work))
    assert "3 players listed (2 out)" in ok(run("import-injuries", "Injury-Report_2024-01-15_05PM.csv", home=home,
                                                cwd=work))
    assert "12 lines for 12 players" in ok(run("import-lines", "odds.json", home=home, cwd=work))

    night = ok(run("run", "--date", DAY.isoformat(), home=home, cwd=work))
    assert "2 x out: " in night or ("out: Rest" in night and "out: Injury/Illness" in night)
    # the night's workflow as serve's timetable runs it: grade, processors, the drift monitor, in that order
    said = night.splitlines()
    steps = [next(i for i, line in enumerate(said) if line.startswith(start)) for start in (
        "graded 2024-01-14: ", "processors for 2024-01-15: ", "2024-01-15: ")]
    assert steps == sorted(steps) and "features measured; drift alerts: " in said[steps[2]], said[:steps[2] + 1]
    ok(run("export-predictions", "--start", DAY.isoformat(), "--end", DAY.isoformat(), "--out", "slate.csv",
           home=home, cwd=work))
    slate = pd.read_csv(work / "slate.csv")
    ensemble = slate[(slate["system"] == "ensemble") & (slate["prop"] == "points")].set_index("player_name")
    assert len(ensemble) > 250
    assert not set(OUT) & set(ensemble.index)                                       # out players are not predicted
    priced = ensemble[ensemble["line"].notna()]
    assert len(priced) == 12 and set(priced["line_book"]) == {"draftkings"}
    assert priced["market_p_over"].between(0.45, 0.55).all() and priced["p_over"].between(0, 1).all()
    assert set(priced["recommendation"]) <= {"OVER", "UNDER", "PASS"} and priced["edge"].notna().all()
    assert ensemble.loc["Jonas Valančiūnas", "availability"] == "Questionable"
    leading = ["game_date", "player_id", "player_name", "system", "prop", "predicted", "p10", "p50", "p90"]
    assert list(slate.columns[:len(leading)]) == leading
    after = list(slate.columns).index("batch_id") + 1
    assert list(slate.columns[after:after + 7]) == ["line", "line_book", "p_over", "market_p_over", "edge",
                                                    "recommendation", "availability"]

    season[season["GAME_DATE"] == DAY.isoformat()].to_csv(work / "night.csv", index=False)
    ok(run("import", "night.csv", home=home, cwd=work))
    assert "graded 1 date(s)" in ok(run("grade", "--date", DAY.isoformat(), home=home, cwd=work))
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    graded = wh.read(tables.PREDICTION_ACCURACY.fqn, DAY, DAY)
    assert len(wh.read(tables.FEATURE_DRIFT.fqn, DAY, DAY)) > 10                   # `run` measured the night's drift
    calls = graded[(graded["system"] == "ensemble") & graded["line"].notna()]
    assert len(graded) > 1000 and 0 < len(calls) <= 12
    assert set(wh.read(tables.SCHEDULE.fqn, DAY, DAY)["status"]) == {"final"}
    wh.close()
    quiet = ok(run("daily", "--date", "2024-01-17", "--no-fetch", home=home, cwd=work))   # a day with no schedule
    assert "2024-01-17: no games scheduled; nothing to predict" in quiet
