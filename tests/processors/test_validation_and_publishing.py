from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np
import pandas as pd
import pytest

from processors.validation import validate
from shared import tables
from shared.features import render_markdown
from tests.conftest import ROOT
from tests.support.cli import invoke


def test_out_of_range_rows_are_rejected_with_the_reason():
    t = tables.PLAYER_SHOT_ZONE_ANALYSIS
    frame = pd.DataFrame({c: [0.5, 0.5, 0.5] for c in t.column_names})
    frame["analysis_date"] = pd.Timestamp("2024-01-15")
    frame["player_id"] = [1, 2, 3]
    frame["team_abbr"] = "BOS"
    frame["primary_zone"] = "two"
    frame.loc[1, "fg3_pct_last10"] = 1.7
    frame.loc[2, "games_last10"] = np.nan
    valid, rejects = validate(t, frame, "player_id")
    assert valid["player_id"].tolist() == [1]
    reasons = dict(zip(rejects["entity"], rejects["reason"], strict=True))
    assert reasons == {"2": "column fg3_pct_last10 = 1.7 outside [0.0, 1.0]", "3": "column games_last10 is missing"}


def test_output_that_drifts_from_the_declared_table_is_an_error():
    t = tables.PLAYER_COMPOSITE_FACTORS
    frame = pd.DataFrame({c: [1.0] for c in t.column_names}).assign(surprise=1)
    with pytest.raises(ValueError, match="unexpected \\['surprise'\\]"):
        validate(t, frame, "player_id")


def test_features_doc_is_rendered_from_the_feature_list():
    assert (ROOT / "docs" / "FEATURES.md").read_text() == render_markdown()


def _bus_messages(home) -> list[str]:
    path = home / "bus.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT topic FROM messages")]


def test_backfill_publishes_nothing_and_nightly_publishes_one_event_per_processor(tmp_path, sample_db):
    shutil.copy(sample_db, tmp_path / "warehouse.duckdb")     # what `pipeline import` of the sample makes

    def run(*args):
        out = invoke(*args, home=tmp_path)
        assert out.returncode == 0, out.stderr
        return out.stdout

    # a bus exists (a publisher was used before), so "nothing" is a real count
    run("process", "--date", "2023-12-01")
    assert len(_bus_messages(tmp_path)) == 5
    summary = run("backfill", "--start", "2023-11-01", "--end", "2023-11-14")
    assert "nothing published" in summary
    assert len(_bus_messages(tmp_path)) == 5
    run("process", "--date", "2024-01-15")
    topics = _bus_messages(tmp_path)
    assert topics == ["precompute-complete"] * 10
    with sqlite3.connect(tmp_path / "bus.sqlite") as db:
        rows = [r[0] for r in db.execute("SELECT data FROM messages ORDER BY rowid")][5:]
    events = [json.loads(r) for r in rows]
    assert sorted(e["processor"] for e in events) == sorted(
        ["team_defense_zone_analysis", "player_shot_zone_analysis", "player_daily_cache",
         "player_composite_factors", "ml_feature_store"])
    assert {e["game_date"] for e in events} == {"2024-01-15"} and {e["status"] for e in events} == {"success"}
