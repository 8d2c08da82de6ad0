"""Issue 27, done when: on a warehouse that holds only the previous season (the 2022-23
playoffs), `bin/pipeline daily --date 2023-11-08` fetches the night by itself from the four
sources served locally in their real layouts (box scores since the last stored game, the
schedule, the injury report of 5 pm among several slots, the lines after a 429) and predicts
exactly what the file-based flow (import, import-schedule, import-injuries, import-lines,
daily --no-fetch) predicts from the same inputs."""
from __future__ import annotations

import io
import json
import shutil
from datetime import date

import pandas as pd
import pytest

from devsupport.feed_layouts import compact, player_log_rows
from devsupport.feed_sources import Fault, Sources
from ingest.importer import import_files
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import PLAYOFF_FIXTURE, SAMPLE
from tests.support.cli import run
from tests.support.feeds import event_odds, injury_report, schedule_feed, write_json
from tests.support.injury_report_pdf import build

NIGHT = date(2023, 11, 8)            # 14 games; the season opened 2023-10-24, two weeks of box scores to fetch
EVENTS = "/v4/sports/basketball_nba/events"
REPORT_AT_5 = {"Joel Embiid": "Injury/Illness - Left Knee; Soreness", "Jaren Jackson Jr.": "Rest"}
LINES = {"Shai Gilgeous-Alexander": 31.5, "Jerami Grant": 21.5, "Nikola Jokić": 26.5, "LaMelo Ball": 24.5,
         "Damian Lillard": 25.5, "Jordan Clarkson": 18.5, "Kyle Kuzma": 22.5, "Cade Cunningham": 22.5,
         "Luka Dončić": 32.5, "Pascal Siakam": 21.5, "Bam Adebayo": 20.5, "Joel Embiid": 33.5}
RUN_SPECIFIC = ["batch_id", "correlation_id", "created_at", "predicted_as_of"]


def ok(out) -> str:
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout


def report_rows(season, out, questionable=()) -> list[list[str]]:
    """The report's table as the league prints it, for the PDF and the CSV alike."""
    text = injury_report(season, NIGHT, out, questionable=list(questionable))
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).values.tolist()


def report_pdf(rows, hour: str) -> bytes:
    return build(rows, f"{NIGHT:%m/%d/%y} {hour}", rows_per_page=3)


def predictions(home) -> pd.DataFrame:
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    try:
        rows = wh.read(tables.PREDICTIONS.fqn, NIGHT, NIGHT)
    finally:
        wh.close()
    return rows.drop(columns=RUN_SPECIFIC).sort_values(list(tables.PREDICTION_KEY)).reset_index(drop=True)


@pytest.fixture
def homes(tmp_path):
    """Two PIPELINE_HOMEs whose warehouse holds the previous season only."""
    first = tmp_path / "fetched"
    first.mkdir()
    wh = DuckDBWarehouse(first / "warehouse.duckdb")
    import_files(wh, [PLAYOFF_FIXTURE])
    wh.close()
    second = tmp_path / "imported"
    second.mkdir()
    shutil.copy(first / "warehouse.duckdb", second / "warehouse.duckdb")
    return first, second


@pytest.mark.e2e
def test_daily_fetches_the_night_and_predicts_what_the_imported_files_predict(homes, tmp_path):
    season = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    fetched_home, imported_home = homes
    schedule = schedule_feed(season, [NIGHT])
    at_5 = report_rows(season, REPORT_AT_5, questionable=["Luka Dončić"])
    odds = event_odds(season, NIGHT, LINES)
    with Sources() as sources:
        sources.stats_rows = player_log_rows(season)        # the whole season: the night's own games are there too
        sources.schedule = compact(schedule)
        sources.reports = {
            "Injury-Report_2023-11-08_11AM.pdf": report_pdf(report_rows(season, {}, ["Joel Embiid"]), "11:00 AM"),
            "Injury-Report_2023-11-08_01PM.pdf": report_pdf(report_rows(season, {"Joel Embiid": "Rest"}), "01:00 PM"),
            "Injury-Report_2023-11-08_05PM.pdf": report_pdf(at_5, "05:00 PM"),
            # after the first tip-off (7:30 pm): never the report a past night is predicted with
            "Injury-Report_2023-11-08_08PM.pdf": report_pdf(report_rows(season, {"Nikola Jokić": "Rest"}), "08:00 PM"),
        }
        sources.events = [{k: v for k, v in e.items() if k != "bookmakers"} for e in odds]
        sources.event_odds = {e["id"]: e for e in odds}
        sources.fail(EVENTS, Fault(429, json.dumps({"message": "Usage quota has been reached"}).encode(),
                                   "application/json", {"Retry-After": "0"}))

        night = run("daily", "--date", NIGHT, home=fetched_home, env=sources.env(), timeout=600)
        shown = run("feeds", home=fetched_home)
        stats_asked, events_asked = sources.asked("/stats/leaguegamelog"), sources.asked(EVENTS)
        reports_asked = [r["path"].rsplit("/", 1)[-1] for r in sources.requests if "/referee/injury/" in r["path"]]

    out = ok(night)
    assert "box scores 2023-06-13..2023-11-07: 2256 player-games" in out
    assert "Injury-Report_2023-11-08_05PM: 3 players listed (2 out), as of 2023-11-08 17:00 ET (2 slot(s) asked)" in out
    assert "lines for 2023-11-08: 12 lines for 12 players from 1 book(s), 9 event(s)" in out
    assert reports_asked == ["Injury-Report_2023-11-08_06PM.pdf", "Injury-Report_2023-11-08_05PM.pdf"]
    assert len(events_asked) == 2                                  # the 429, then the answer
    assert max(pd.Timestamp(r["args"]["DateTo"]) for r in stats_asked) == pd.Timestamp(NIGHT) - pd.Timedelta(days=1)

    raw = fetched_home / "objects" / "objects" / "raw"
    assert {p.relative_to(raw).parts[0] for p in raw.rglob("*") if p.is_file()} == {
        "box_scores", "schedule", "injuries", "lines"}
    assert list((raw / "injuries").rglob("*_Injury-Report_2023-11-08_05PM.pdf"))
    rows = {line.split()[1]: line for line in ok(shown).splitlines() if line.startswith("│ ")}
    assert set(rows) == {"box_scores", "schedule", "injuries", "lines"}
    assert not [line for line in rows.values() if "never" in line]
    assert "Injury-Report_2023-11-08_05PM" in rows["injuries"] and "2,256" in rows["box_scores"]

    work = tmp_path / "files"
    work.mkdir()
    season[season["GAME_DATE"] < NIGHT.isoformat()].to_csv(work / "season_to_date.csv", index=False)
    write_json(work / "scheduleLeagueV2.json", schedule)
    pd.DataFrame(at_5, columns=["Game Date", "Game Time", "Matchup", "Team", "Player Name", "Current Status",
                                "Reason"]).to_csv(work / "Injury-Report_2023-11-08_05PM.csv", index=False)
    write_json(work / "odds.json", odds)
    for step in (["import", "season_to_date.csv"], ["import-schedule", "scheduleLeagueV2.json"],
                 ["import-injuries", "Injury-Report_2023-11-08_05PM.csv"], ["import-lines", "odds.json"],
                 ["daily", "--date", NIGHT, "--no-fetch"]):
        ok(run(*step, home=imported_home, cwd=work, timeout=600))

    got, expected = predictions(fetched_home), predictions(imported_home)
    assert len(got) > 1000
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    points = got[(got["system"] == "ensemble") & (got["prop"] == "points")].set_index("player_name")
    assert not {"Joel Embiid", "Jaren Jackson Jr."} & set(points.index)      # out at 5 pm
    assert points.loc["Luka Dončić", "availability"] == "Questionable"
    assert "Nikola Jokić" in points.index                                   # out only in the 8 pm report
    assert points["line"].notna().sum() == len(LINES) - 1                  # every priced player but Embiid
