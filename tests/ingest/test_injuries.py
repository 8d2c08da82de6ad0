"""fetch-injuries: report PDFs built in the league's layout, served from a local report folder
that answers 403 for a slot not published; pdfplumber reads them; the rows equal what
`import-injuries` makes of the same table."""
from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from ingest import injuries, injury_pdf
from ingest.http import FeedError, Http
from ingest.importer.injuries import import_injuries
from ingest.importer.schedule import read_schedule, write_schedule
from ingest.injury_slots import newest_first
from shared import freshness, tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.support.feeds import schedule_feed, write_json
from tests.support.injury_report_pdf import HEADERS, REPORT, build, pdf

ET = ZoneInfo("America/New_York")
NIGHT = date(2024, 1, 16)
@pytest.fixture
def scheduled(wh, season, tmp_path):
    write_json(tmp_path / "schedule.json", schedule_feed(season, [NIGHT]))
    write_schedule(wh, read_schedule(tmp_path / "schedule.json"))
    return wh


def fetch(wh, store, sources, clock, at):
    http = Http(injuries.FEED, injuries.POLICY, sleep=clock.sleep, now=clock.now)
    return injuries.fetch(wh, store, http, sources.injury_url, NIGHT, at, clock.now())


def stored(wh):
    return wh.read(tables.INJURY_REPORT.fqn, NIGHT, NIGHT).drop(columns=["source_file"])\
        .sort_values(["team_abbr", "player_name"]).reset_index(drop=True)


@pytest.mark.parametrize("centred", [False, True], ids=["headers flush left", "headers centred"])
def test_the_pdf_reads_back_into_the_table_it_was_printed_from(centred):
    data = build(REPORT, "01/16/24 05:00 PM", rows_per_page=4, centred_headers=centred)
    report = injury_pdf.read(data, "Injury-Report_2024-01-16_05PM.pdf")
    expected = pd.DataFrame(REPORT, columns=HEADERS)
    pd.testing.assert_frame_equal(report.table, expected)
    assert report.pages == [1, 1, 1, 2, 2, 2, 3, 3]       # Harris's row starts on page 1, ends on page 2
    assert report.not_submitted == ["SAC"]


def test_the_newest_published_report_is_fetched_and_equals_the_imported_table(scheduled, store, sources, clock,
                                                                            home, tmp_path):
    reference_path = tmp_path / "reference.duckdb"
    shutil.copy(home / "warehouse.duckdb", reference_path)
    sources.reports["Injury-Report_2024-01-16_01PM.pdf"] = pdf(REPORT[:1])
    sources.reports["Injury-Report_2024-01-16_05PM.pdf"] = pdf()

    done = fetch(scheduled, store, sources, clock, datetime(2024, 1, 16, 19, 0, tzinfo=ET))

    # 07PM is not out before 7:30 pm; 06PM is not published (403); 05PM is the newest
    assert [r["path"].rsplit("/", 1)[-1] for r in sources.requests] == [
        "Injury-Report_2024-01-16_06PM.pdf", "Injury-Report_2024-01-16_05PM.pdf"]
    assert (done.report, done.slots_tried, done.rows, done.out) == ("Injury-Report_2024-01-16_05PM", 2, 7, 3)
    assert done.as_of == pd.Timestamp("2024-01-16 22:00", tz="UTC")          # 5 pm ET, from the name
    pd.DataFrame(REPORT, columns=HEADERS).to_csv(tmp_path / "Injury-Report_2024-01-16_05PM.csv", index=False)
    reference = DuckDBWarehouse(reference_path)
    import_injuries(reference, tmp_path / "Injury-Report_2024-01-16_05PM.csv")
    pd.testing.assert_frame_equal(stored(scheduled), stored(reference))
    assert "SAC" not in set(stored(scheduled)["team_abbr"])                  # not submitted is never a player
    kept = scheduled.read(tables.INJURY_REPORT.fqn, NIGHT, NIGHT, columns=["source_file"])["source_file"]
    assert set(kept) == {"Injury-Report_2024-01-16_05PM.pdf"}                # the rows name the PDF they came from
    assert done.not_submitted == ["SAC"]
    assert store.read(done.raw_key).data == sources.reports["Injury-Report_2024-01-16_05PM.pdf"]
    assert done.raw_key.startswith("raw/injuries/2024-01-16/") and done.raw_key.endswith(
        "_Injury-Report_2024-01-16_05PM.pdf")
    status = freshness.read(store, "injuries")
    assert (status.rows, status.covers, status.notes) == (7, "Injury-Report_2024-01-16_05PM",
                                                          {"not_submitted": "SAC"})


def test_a_past_night_takes_the_last_report_before_its_first_tipoff(scheduled):
    later = datetime(2024, 1, 20, 12, 0, tzinfo=UTC)
    at = injuries.report_time(scheduled, NIGHT, None, later)
    assert at == datetime(2024, 1, 17, 0, 29, 59, tzinfo=UTC)                  # 7:30 pm ET tip, less a second
    assert next(newest_first(at)).name == "Injury-Report_2024-01-16_06PM"
    assert injuries.report_time(scheduled, NIGHT, None, datetime(2024, 1, 16, 15, 0, tzinfo=UTC)) == \
        datetime(2024, 1, 16, 15, 0, tzinfo=UTC)                              # before the tip: now
    unscheduled = date(2024, 1, 20)                                            # no tip-off known: the day's end
    assert injuries.report_time(scheduled, unscheduled, None, later.replace(day=25)) == \
        datetime(2024, 1, 20, 23, 59, 59, tzinfo=ET)


def test_slot_names_follow_the_league_before_and_after_the_quarter_hour_reports():
    names = lambda at, n: [s.name for s in list(newest_first(at))[:n]]  # noqa: E731
    assert names(datetime(2024, 1, 15, 17, 29, tzinfo=ET), 2) == ["Injury-Report_2024-01-15_04PM",
                                                                  "Injury-Report_2024-01-15_03PM"]
    assert names(datetime(2025, 12, 22, 17, 20, tzinfo=ET), 2) == ["Injury-Report_2025-12-22_05_15PM",
                                                                   "Injury-Report_2025-12-22_05_00PM"]
    assert names(datetime(2025, 12, 22, 0, 20, tzinfo=ET), 3) == ["Injury-Report_2025-12-22_12_15AM",
                                                                  "Injury-Report_2025-12-22_12_00AM",
                                                                  "Injury-Report_2025-12-21_11PM"]


def test_a_truncated_pdf_is_one_line_and_writes_nothing(scheduled, store, sources, clock):
    whole = pdf()
    sources.reports["Injury-Report_2024-01-16_05PM.pdf"] = whole[: len(whole) // 2]
    with pytest.raises(FeedError, match=r"^injuries: http://127\.0\.0\.1:\d+/referee/injury/Injury-Report_2024-01-16"
                                        r"_05PM\.pdf: not a readable PDF \(truncated"):
        fetch(scheduled, store, sources, clock, datetime(2024, 1, 16, 17, 45, tzinfo=ET))
    assert stored(scheduled).empty
    assert freshness.read(store, "injuries").failing


def test_a_report_in_another_layout_names_what_is_missing(scheduled, store, sources, clock):
    renamed = ["Game Date", "Game Time", "Matchup", "Team", "Player", "Current Status", "Reason"]
    sources.reports["Injury-Report_2024-01-16_05PM.pdf"] = build(REPORT, "01/16/24 05:00 PM", headers=renamed)
    with pytest.raises(FeedError, match=r"page 1: no header row \(Game Date, .*Reason\): not the injury report's "
                                        r"layout"):
        fetch(scheduled, store, sources, clock, datetime(2024, 1, 16, 17, 45, tzinfo=ET))
    assert stored(scheduled).empty


def test_no_report_in_the_last_day_is_one_line(scheduled, store, sources, clock):
    with pytest.raises(FeedError, match=r"no report published in the 24 hours before 2024-01-16 17:45 ET \(HTTP "
                                        r"403 for all 24 slots\)"):
        fetch(scheduled, store, sources, clock, datetime(2024, 1, 16, 17, 45, tzinfo=ET))



@pytest.mark.parametrize("centred", [False, True], ids=["headers flush left", "headers centred"])
def test_long_team_names_stay_in_their_column(centred):
    rows = [["01/17/2024", "10:00 (ET)", "MIN@POR", "Minnesota Timberwolves", "Edwards, Anthony", "Questionable",
             "Injury/Illness - Right Hip; Contusion"],
            ["", "", "", "Portland Trail Blazers", "Simons, Anfernee", "Out", "Injury/Illness - Right Thumb; Sprain"],
            ["", "", "", "", "Grant, Jerami", "Probable", "Rest"]]
    report = injury_pdf.read(build(rows, "01/17/24 01:00 PM", centred_headers=centred), "x.pdf")
    pd.testing.assert_frame_equal(report.table, pd.DataFrame(rows, columns=HEADERS))
