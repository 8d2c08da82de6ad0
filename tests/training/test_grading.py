from __future__ import annotations

import shutil
from datetime import date

import pytest

from bin.stack import inline
from coordinator.requests import StartRequest
from coordinator.service import start
from modeling.evaluation import evaluate
from modeling.grading import grade
from shared import tables
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.catalogue import PROP_NAMES
from shared.config import Settings

WEEK = [date(2024, 2, d) for d in range(5, 12)]


@pytest.fixture(scope="module")
def predicted_week(feature_db, tmp_path_factory):
    """A warehouse file whose week was predicted, built once for the module."""
    tmp_path = tmp_path_factory.mktemp("graded")
    shutil.copy(feature_db, tmp_path / "w.duckdb")
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    store = DirectoryStore(tmp_path / "objects")
    chain = inline(Settings(home=tmp_path), wh, store)
    for d in WEEK:
        players = wh.read(tables.ML_FEATURE_STORE.fqn, d, d)["player_id"].head(40).tolist()
        if players:
            start(chain.coordinator, StartRequest(game_date=d, players=players, lines={players[0]: 0.5}), d)
    wh.close()
    return tmp_path / "w.duckdb"


@pytest.fixture
def predicted(predicted_week, tmp_path):
    shutil.copy(predicted_week, tmp_path / "w.duckdb")
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    yield wh
    wh.close()


def test_grading_a_week_gives_the_same_maes_as_evaluate(predicted):
    result = grade(predicted, WEEK[0], WEEK[-1])
    assert result.dates_graded and not result.dates_without_results
    daily = predicted.read(tables.DAILY_ACCURACY.fqn, WEEK[0], WEEK[-1])
    weighted = daily.assign(w=daily["mae"] * daily["n"]).groupby(["system", "prop"])[["w", "n"]].sum()
    graded_mae = (weighted["w"] / weighted["n"]).to_dict()
    evaluated = evaluate(predicted, WEEK[0], WEEK[-1]).all_played.set_index(["system", "prop"])["mae"].to_dict()
    assert graded_mae.keys() == evaluated.keys() and len(evaluated) == 30     # six systems x five props
    for key, mae in evaluated.items():
        assert graded_mae[key] == pytest.approx(mae, abs=1e-9), key


def test_grading_is_idempotent_and_scores_calls_against_the_line(predicted):
    grade(predicted, WEEK[0], WEEK[-1])
    first = predicted.count(tables.PREDICTION_ACCURACY.fqn)
    grade(predicted, WEEK[0], WEEK[-1])
    assert predicted.count(tables.PREDICTION_ACCURACY.fqn) == first > 0
    acc = predicted.read(tables.PREDICTION_ACCURACY.fqn, WEEK[0], WEEK[-1])
    lined = acc[acc["line"].notna()]
    # a 0.5-point line: anyone who scored beat it, so an OVER call hits exactly when points > 0.5
    overs = lined[lined["recommendation"] == "OVER"]
    assert len(overs) and (overs["call_hit"].astype(bool) == (overs["actual"] > 0.5)).all()
    assert acc[acc["line"].isna()]["call_hit"].isna().all()
    # every prop is graded against its own outcome; PRA against points + rebounds + assists
    actual = acc[acc["system"] == "ensemble"].pivot_table(index=["game_date", "player_id"], columns="prop",
                                                         values="actual")
    assert list(actual.columns.sort_values()) == sorted(PROP_NAMES) and len(actual) > 100
    assert (actual["pra"] == actual["points"] + actual["rebounds"] + actual["assists"]).all()


def test_a_date_without_box_scores_waits(predicted):
    predicted.query(f"DELETE FROM {tables.PLAYER_GAME_SUMMARY.fqn} WHERE game_date = @d", {"d": WEEK[-1]})
    result = grade(predicted, WEEK[0], WEEK[-1])
    assert WEEK[-1] in result.dates_without_results and WEEK[-1] not in result.dates_graded
