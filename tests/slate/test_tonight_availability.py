"""Tonight's availability as features, and the one exception to "nothing of D": a serving batch
reads the injury report and never D's box scores; a realised backtest and training read D's
box scores for the tonight columns and for nothing else."""
from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from bin.stack import inline
from coordinator.requests import StartRequest
from coordinator.service import start as start_batch
from ingest.importer.injuries import import_injuries
from modeling import dataset
from processors.runner import nightly
from shared import tables
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.batch_docs import BatchDoc
from shared.config import Settings
from shared.features import TONIGHT_NAMES
from tests.support.feeds import injury_report

DAY = date(2024, 1, 15)
OUT = {"Jaren Jackson Jr.": "Injury/Illness - Left Ankle; Sprain"}
JJJ = 1628991
FAST = {"systems": ["xgboost"], "props": ["points"]}


@pytest.fixture(scope="module")
def night(sample_db, season, tmp_path_factory):
    """The season's warehouse, D's features computed, and an injury report for D."""
    folder = tmp_path_factory.mktemp("tonight")
    shutil.copy(sample_db, folder / "w.duckdb")
    wh = DuckDBWarehouse(folder / "w.duckdb")
    assert {e.status for e in nightly(wh, None, DAY)} == {"success"}
    (folder / "Injury-Report_2024-01-15_05PM.csv").write_text(
        injury_report(season, DAY, OUT, questionable=["Jonas Valančiūnas"]))
    import_injuries(wh, folder / "Injury-Report_2024-01-15_05PM.csv")
    chain = inline(Settings.from_env({"PIPELINE_HOME": str(folder), "PIPELINE_AUTH": "off"}), wh,
                   DirectoryStore(folder / "objects"))
    yield wh, chain, folder / "Injury-Report_2024-01-15_05PM.csv"
    wh.close()


def batch(chain, backtest: bool = False, **options) -> tuple[BatchDoc, pd.DataFrame]:
    """One forced batch for D: its document (the tonight columns handed to the worker) and its rows."""
    code, body = start_batch(chain.coordinator, StartRequest(game_date=DAY, force=True, **FAST, **options), DAY,
                             backtest=backtest)
    assert code == 202, body
    doc = chain.coordinator.batches.batch(body["batch_id"])[0]
    rows = chain.coordinator.warehouse.query(
        f"SELECT player_id, predicted, availability_source FROM {tables.PREDICTIONS.fqn} "
        "WHERE batch_id = @b AND game_date = @d ORDER BY player_id", {"b": body["batch_id"], "d": DAY})
    return doc, rows


def delete_box_scores(wh, where: str, params: dict) -> None:
    wh.query(f"DELETE FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE game_date = @d AND {where}", {"d": DAY, **params})


def store(wh) -> pd.DataFrame:
    return wh.read(tables.ML_FEATURE_STORE.fqn, DAY, DAY).set_index("player_id")


def teammates(wh, player: int) -> list[int]:
    rows = store(wh)
    return [int(p) for p in rows.index[(rows["team_abbr"] == rows.loc[player, "team_abbr"]) & (rows.index != player)]]


def test_the_report_moves_the_teammates_columns_and_a_serving_batch_never_reads_the_nights_box_scores(
        night, sample_db):
    wh, chain, report = night
    restore_day(wh, sample_db)
    import_injuries(wh, report)
    names = store(wh)
    valanciunas = int(names.index[names["player_name"] == "Jonas Valančiūnas"][0])
    doc, rows = batch(chain)
    assert doc.availability_source == "report" and set(rows["availability_source"]) == {"report"}
    assert JJJ in doc.out and JJJ not in set(rows["player_id"])          # listed Out: not predicted
    for p in teammates(wh, JJJ):
        tonight = doc.tonight[p]
        assert tonight["tonight_teammates_out"] == 1 and 0.1 < tonight["tonight_teammates_out_pts_share"] < 0.5
    assert doc.tonight[valanciunas]["tonight_own_status"] == 2          # Questionable
    untouched = doc.tonight[teammates(wh, valanciunas)[0]]
    assert untouched["tonight_teammates_out"] == 0

    delete_box_scores(wh, "TRUE", {})                                            # the night not played yet
    again, rows_again = batch(chain)
    assert again.tonight == doc.tonight and again.availability_source == "report"
    pd.testing.assert_frame_equal(rows_again, rows)


def test_realised_is_a_backtests_and_reads_who_did_not_play(night, sample_db):
    wh, chain, _ = night
    wh.query(f"DELETE FROM {tables.INJURY_REPORT.fqn} WHERE game_date = @d", {"d": DAY})
    none, _ = batch(chain)                                                       # no report stored: none
    assert none.availability_source == "none"
    assert all(v is None for cols in none.tonight.values() for v in cols.values())
    restore_day(wh, sample_db)
    first, _ = batch(chain, backtest=True, availability="realised")
    assert first.availability_source == "realised"
    rows = store(wh)
    team = rows["team_abbr"].iloc[0]                # every team of D's feature store plays D
    starter = int(rows[rows["team_abbr"] == team]["minutes_avg_last10"].idxmax())
    delete_box_scores(wh, "player_id = @p", {"p": starter})                     # he did not play after all
    second, _ = batch(chain, backtest=True, availability="realised")
    for p in teammates(wh, starter):
        assert second.tonight[p]["tonight_teammates_out"] == \
            first.tonight[p]["tonight_teammates_out"] + 1
    others = [p for p in first.tonight if rows.loc[p, "team_abbr"] != team]
    assert len(others) > 100 and all(second.tonight[p] == first.tonight[p] for p in others)


def test_training_reads_the_nights_box_scores_for_the_tonight_columns_only(night, sample_db, monkeypatch):
    wh, _, _ = night
    restore_day(wh, sample_db)
    monkeypatch.setattr(dataset, "UNKNOWN_SHARE", 0.0)
    before = dataset.load(wh, "points", DAY, DAY).set_index("player_id")
    assert set(before["availability_source"]) == {"realised"}
    rows = store(wh)
    team = rows["team_abbr"].iloc[-1]
    starter = int(rows[rows["team_abbr"] == team]["minutes_avg_last10"].idxmax())
    # his box score of D gone, and everyone else's changed: only tonight's columns and the target may move
    delete_box_scores(wh, "player_id = @p", {"p": starter})
    wh.query(f"UPDATE {tables.PLAYER_GAME_SUMMARY.fqn} SET pts = pts + 17, minutes = 48, reb = reb + 7 "
             "WHERE game_date = @d", {"d": DAY})
    after = dataset.load(wh, "points", DAY, DAY).set_index("player_id")
    assert starter in before.index and starter not in after.index
    kept = before.drop(index=starter)
    moved = [c for c in kept.columns if not kept[c].equals(after.loc[kept.index, c])]
    assert set(moved) <= {*TONIGHT_NAMES, "actual", "minutes"} and "actual" in moved
    mates = [p for p in kept.index if rows.loc[p, "team_abbr"] == team]
    assert len(mates) > 3
    assert (after.loc[mates, "tonight_teammates_out"] == kept.loc[mates, "tonight_teammates_out"] + 1).all()

    monkeypatch.setattr(dataset, "UNKNOWN_SHARE", 1.0)
    unknown = dataset.load(wh, "points", DAY, DAY)
    assert set(unknown["availability_source"]) == {"none"} and unknown[list(TONIGHT_NAMES)].isna().all().all()


def restore_day(wh, sample_db) -> None:
    """D's box scores as the season file has them."""
    full = DuckDBWarehouse(sample_db, read_only=True)
    rows = full.read(tables.PLAYER_GAME_SUMMARY.fqn, DAY, DAY)
    full.close()
    delete_box_scores(wh, "TRUE", {})
    wh.merge_frame(tables.PLAYER_GAME_SUMMARY.fqn, rows)
