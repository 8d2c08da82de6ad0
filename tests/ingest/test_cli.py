"""The fetch commands as a user runs them (`bin/pipeline`'s entry point, in process), against the sources
served locally: what they print, their exit codes, the raw copies and freshness they leave,
and the odds API key found nowhere but in the requests."""
from __future__ import annotations

import json
from datetime import date

from devsupport.feed_sources import API_KEY, html_page
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.support.cli import invoke as run
from tests.support.feeds import schedule_feed
from tests.support.injury_report_pdf import REPORT, pdf

NIGHT = date(2024, 1, 16)


def test_the_four_fetchers_import_keep_raw_copies_and_show_in_feeds(home, sources, season):
    sources.schedule = json.dumps(schedule_feed(season, [NIGHT])).encode()
    sources.reports["Injury-Report_2024-01-16_05PM.pdf"] = pdf(REPORT)
    env = sources.env()

    box = run("fetch-box-scores", "--date", "2024-01-15", home=home, env=env)
    games = run("fetch-schedule", home=home, env=env)
    report = run("fetch-injuries", "--date", "2024-01-16", home=home, env=env)
    odds = run("fetch-lines", "--date", "2024-01-16", home=home, env=env)
    shown = run("feeds", home=home, env=env)

    assert box.returncode == 0, box.stderr
    assert box.stdout.startswith("box scores 2024-01-15..2024-01-15: 229 player-games, 22 team-games, 11 games from "
                                 "1 request(s) in ")
    assert games.returncode == 0, games.stderr
    assert ": 3 games, 2024-01-16..2024-01-16 (0 already final, 0 postponed)" in games.stdout
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines() == [
        "Injury-Report_2024-01-16_05PM: 7 players listed (3 out), as of 2024-01-16 17:00 ET (2 slot(s) asked)",
        "not yet submitted: SAC"]
    assert odds.returncode == 0, odds.stderr
    assert "lines for 2024-01-16: 26 lines for 10 players from 2 book(s), 3 event(s) in " in odds.stdout
    assert odds.stdout.rstrip().endswith("465 requests left on the key")
    assert shown.returncode == 0, shown.stderr
    feeds = {line.split()[1]: line for line in shown.stdout.splitlines() if line.startswith("│ ")}
    assert set(feeds) == {"box_scores", "schedule", "injuries", "lines"}
    assert "229" in feeds["box_scores"] and "Injury-Report_2024-01-16_05PM" in feeds["injuries"]
    assert " 3 " in feeds["schedule"] and "2024-01-16..2024-01-16" in feeds["schedule"]
    assert all(line.split()[3] == "ok" for line in feeds.values())                 # each fetched just now
    assert "stale after box_scores 30 h, schedule 30 h, injuries 60 min, lines 90 min" in shown.stdout
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    assert wh.count(tables.INJURY_REPORT.fqn) == 7 and wh.count(tables.PROP_LINES.fqn) == 26
    wh.close()
    kept = sorted(p.relative_to(home / "objects" / "objects").as_posix()
                  for p in (home / "objects" / "objects" / "raw").rglob("*") if p.is_file())
    assert [k.split("/")[1] for k in kept] == ["box_scores", "injuries"] + ["lines"] * 4 + ["schedule"]
    assert not [p for p in home.rglob("*") if p.is_file() and API_KEY.encode() in p.read_bytes()]
    assert API_KEY not in box.stdout + games.stdout + report.stdout + odds.stdout + shown.stdout + odds.stderr


def test_a_source_answering_html_is_one_line_and_exit_1_and_a_missing_key_exit_2(home, sources):
    sources.fail("/stats/leaguegamelog", html_page())
    broken = run("fetch-box-scores", "--date", "2024-01-15", home=home, env=sources.env())
    no_key = run("fetch-lines", "--date", "2024-01-16", home=home, env={**sources.env(), "ODDS_API_KEY": ""})
    shown = run("feeds", home=home)

    assert broken.returncode == 1
    lines = broken.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: box_scores: {sources.stats_url}/leaguegamelog?")
    assert "answered something that is not JSON: '<html><head><title>Access Denied" in lines[0]
    assert no_key.returncode == 2 and "ODDS_API_KEY is not set" in no_key.stderr
    failing = next(line for line in shown.stdout.splitlines() if line.startswith("│ box_scores"))
    assert failing.split()[3] == "failing" and "never" in failing
    assert "answered something that is not JSON" in shown.stdout


def test_replay_raw_reads_the_stored_responses_again(home, sources):
    fetched = run("fetch-box-scores", "--date", "2024-01-15", home=home, env=sources.env())
    assert fetched.returncode == 0, fetched.stderr
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    wh.query(f"DELETE FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE game_date = DATE '2024-01-15'")
    wh.close()

    replayed = run("replay-raw", "--feed", "box_scores", "--date", "2024-01-15", home=home)
    nothing = run("replay-raw", "--feed", "lines", "--date", "2024-01-15", home=home)

    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.startswith("box_scores 2024-01-15 fetched ") and "1 response(s), 229 rows" in replayed.stdout
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    assert len(wh.read(tables.PLAYER_GAME_SUMMARY.fqn, date(2024, 1, 15), date(2024, 1, 15))) == 229
    wh.close()
    assert len(sources.asked("/stats/leaguegamelog")) == 1           # the replay asked the source nothing
    assert nothing.returncode == 2 and "nothing stored under raw/lines/2024-01-15/" in nothing.stderr


def test_until_last_tip_fetches_nothing_once_the_nights_games_have_tipped_off(home, sources, season):
    sources.schedule = json.dumps(schedule_feed(season, [NIGHT])).encode()
    assert run("fetch-schedule", home=home, env=sources.env()).returncode == 0
    over = run("fetch-lines", "--date", "2024-01-16", "--until-last-tip", home=home, env=sources.env())
    report = run("fetch-injuries", "--date", "2024-01-16", "--until-last-tip", home=home, env=sources.env())
    assert over.returncode == 0 and report.returncode == 0, over.stderr + report.stderr
    assert over.stdout.strip() == ("lines: every game of 2024-01-16 has tipped off (the last at 19:30 ET): "
                                   "nothing fetched")
    assert report.stdout.startswith("injuries: every game of 2024-01-16 has tipped off")
    assert not sources.asked("/v4/sports/basketball_nba/events") and not any(
        r["path"].startswith("/referee/") for r in sources.requests)
