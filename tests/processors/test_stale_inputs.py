"""The processors refuse a night whose box scores stop before the teams' previous game day:
`process` exits 1 naming both dates, writes and publishes nothing; `--allow-stale` runs and
says so; a fresh night runs; a season opener asks for nothing; the nightly loop tries again."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from ingest.importer import import_files
from processors.staleness import StaleBoxScores, coverage
from shared import tables
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import SAMPLE
from tests.support.cli import invoke as run

LAST_BOX_SCORES = date(2024, 1, 14)
NIGHT = date(2024, 1, 24)          # ten days on; every team played in between (the schedule says so)


@pytest.fixture
def home(tmp_path, sample_db):
    """The season's schedule, box scores only through LAST_BOX_SCORES."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_db, home / "warehouse.duckdb")
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    for table in (tables.PLAYER_GAME_SUMMARY, tables.TEAM_GAME_SUMMARY):
        wh.query(f"DELETE FROM {table.fqn} WHERE game_date > @d", {"d": LAST_BOX_SCORES})
    wh.close()
    return home


def published(home) -> list[str]:
    if not (home / "bus.sqlite").exists():
        return []
    with sqlite3.connect(home / "bus.sqlite") as db:
        return [r[0] for r in db.execute("SELECT topic FROM messages")]


def written(home, day: date) -> tuple[int, int]:
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    try:
        return (len(wh.read(tables.PROCESSOR_RUNS.fqn, day, day)), len(wh.read(tables.ML_FEATURE_STORE.fqn, day, day)))
    finally:
        wh.close()


def test_process_refuses_ten_day_old_box_scores_and_allow_stale_runs_anyway(home):
    refused = run("process", "--date", NIGHT, home=home)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stderr.strip().splitlines() == [
        "error: box scores stop at 2024-01-14, but 2024-01-24 needs them through 2024-01-23 (the last game day of "
        "the teams playing); nothing processed (fetch-box-scores or import brings them; --allow-stale runs anyway)"]
    assert written(home, NIGHT) == (0, 0) and published(home) == []

    allowed = run("process", "--date", NIGHT, "--allow-stale", home=home)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert ("warning: box scores stop at 2024-01-14, but 2024-01-24 needs them through 2024-01-23 (the last game "
            "day of the teams playing); processing anyway (stale inputs allowed)") in allowed.stderr
    runs, features = written(home, NIGHT)
    assert runs == 5 and features > 0 and published(home) == ["precompute-complete"] * 5


def test_process_runs_a_night_whose_box_scores_are_in(home):
    fresh = run("process", "--date", "2024-01-15", home=home)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "2024-01-15: 5/5 processors succeeded" in fresh.stdout and "warning" not in fresh.stderr
    assert published(home) == ["precompute-complete"] * 5


def games(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"game_id": f"g{n}", "game_date": pd.Timestamp(d), "home_team_abbr": h,
                          "away_team_abbr": a, "status": s} for n, (d, h, a, s) in enumerate(rows)])


def box_scores(*days) -> pd.DataFrame:
    return pd.DataFrame({"game_date": [pd.Timestamp(d) for d in days]})


def test_the_latest_previous_game_day_of_tonights_teams_is_needed():
    schedule = games(("2024-01-10", "BOS", "NYK", "final"), ("2024-01-12", "LAL", "DEN", "final"),
                     ("2024-01-13", "BOS", "MIA", "postponed"), ("2024-01-14", "PHX", "SAC", "final"),
                     ("2024-01-15", "BOS", "LAL", "scheduled"))
    # BOS last played the 10th (the 13th was postponed), LAL the 12th; PHX's 14th is not tonight's teams'
    tonight = coverage(schedule, box_scores("2024-01-11"), date(2024, 1, 15))
    assert (tonight.needed, tonight.last_stored, tonight.stale) == (date(2024, 1, 12), date(2024, 1, 11), True)
    assert not coverage(schedule, box_scores("2024-01-12"), date(2024, 1, 15)).stale
    with pytest.raises(StaleBoxScores, match="no box scores are stored, but 2024-01-15 needs them through 2024-01-12"):
        raise coverage(schedule, box_scores(), date(2024, 1, 15)).refusal()


def test_a_season_opener_and_a_night_without_games_need_nothing():
    opener = coverage(games(("2024-10-22", "BOS", "NYK", "scheduled")), box_scores(), date(2024, 10, 22))
    assert opener.needed is None and not opener.stale
    assert not coverage(games(("2024-01-14", "BOS", "NYK", "final")), box_scores(), date(2024, 1, 15)).stale


def test_the_nightly_loop_waits_for_the_box_scores_and_then_processes_once(home):
    """serve's processors step asks the readiness check, which wants yesterday's box scores:
    it waits (nothing written or published) and tries again at each of its times."""
    from bin import night_steps
    from bin.nightly import Nightly
    from shared.adapters.directory_store import DirectoryStore
    from shared.adapters.inline_bus import InlineBus
    from shared.config import Settings

    settings = Settings.from_env({"PIPELINE_HOME": str(home)})
    wh, bus = DuckDBWarehouse(home / "warehouse.duckdb"), InlineBus()
    now = [datetime(2024, 1, 25, 0, 5, tzinfo=UTC)]     # 7:05 pm ET on the night: past every wait for a report
    loop = Nightly(settings, wh, DirectoryStore(home / "objects"), bus, lambda days: {str(d): "checked" for d in days},
                   clock=lambda: now[0], steps=(night_steps.BY_NAME["processors"],))
    first = loop.tick()
    assert len(first) == 1 and "2024-01-23" in first[0] and "processors for" not in first[0], first
    assert not bus.published and len(wh.read(tables.PROCESSOR_RUNS.fqn, NIGHT, NIGHT)) == 0
    now[0] = datetime(2024, 1, 25, 0, 15, tzinfo=UTC)
    assert "processors for" not in loop.tick()[0]                                               # still waiting
    import_files(wh, [SAMPLE])                                                                  # the box scores arrive
    now[0] = datetime(2024, 1, 25, 0, 25, tzinfo=UTC)
    assert "processors for 2024-01-24: success" in loop.tick()[0]
    assert len(bus.published["precompute-complete"]) == 5
    now[0] = datetime(2024, 1, 25, 0, 35, tzinfo=UTC)
    assert "processors for" not in loop.tick()[0] and len(bus.published["precompute-complete"]) == 5   # once
    wh.close()
