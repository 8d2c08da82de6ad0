"""Retraining behind the gate, and a running worker swapping to a new champion within one
poll interval without a restart. Each stack starts on the session's backfilled sample
(feature_db): what is retrained is what a backfill of the season gives."""
from __future__ import annotations

import json
from datetime import date

from modeling.retrain import retrain
from shared import tables
from shared.catalogue import PROP_NAMES
from shared.models.registry import Registry
from tests.support.stack import predictions, run_chain

END = date(2024, 4, 14)


def test_a_new_champion_is_served_by_the_running_worker_after_one_poll(make_stack, feature_db):
    st = make_stack(warehouse=feature_db)
    clock = [0.0]
    st.worker.models.clock = lambda: clock[0]
    first = run_chain(st, date(2024, 1, 16))
    rows = predictions(st, first["batch_id"]).query("prop == 'points'")
    assert set(rows.loc[rows.system == "xgboost", "model_source"]) == {"bundled"}

    # nothing registered and no bundled copy to compare with: the first version wins
    outcomes = retrain(st.warehouse, st.store, END, props=("points",), systems=("xgboost",),
                       fallback_dir=st.settings.home / "no-bundle").outcomes
    assert outcomes[0].role == "champion"
    version = str(Registry(st.store).pointer("points_xgboost").version)

    clock[0] += st.worker.models.poll_seconds          # one poll interval later, same process
    second = run_chain(st, date(2024, 1, 17))
    rows = predictions(st, second["batch_id"]).query("prop == 'points'")
    xgb = rows[rows.system == "xgboost"]
    assert set(xgb["model_source"]) == {"registry"} and set(xgb["model_version"]) == {version}
    assert set(rows.loc[rows.system == "catboost", "model_source"]) == {"bundled"}


def test_a_retrain_that_does_not_beat_the_champion_leaves_latest_unchanged(make_stack, feature_db):
    st = make_stack(warehouse=feature_db)
    retrain(st.warehouse, st.store, END, props=("points",), systems=("xgboost",),
            fallback_dir=st.settings.home / "no-bundle")
    before = st.store.read("models/points_xgboost/latest.json")
    again = retrain(st.warehouse, st.store, END, props=("points",), systems=("xgboost",)).outcomes
    assert again[0].role == "rejected" and not again[0].result.promoted
    after = st.store.read("models/points_xgboost/latest.json")
    assert (after.data, after.generation) == (before.data, before.generation)
    log = Registry(st.store).history("points_xgboost")
    assert log[-1]["decision"] == "rejected" and log[-1]["champion_mae"] is not None
    assert "does not beat champion" in log[-1]["reason"]


def test_retrain_as_challenger_sets_only_the_challenger_pointer(make_stack, feature_db):
    st = make_stack(warehouse=feature_db)
    out = retrain(st.warehouse, st.store, END, register_as="challenger", props=("points",), systems=("xgboost",),
                  fallback_dir=st.settings.home / "no-bundle").outcomes
    reg = Registry(st.store)
    assert out[0].role == "challenger"
    assert reg.pointer("points_xgboost") is None and reg.pointer("points_xgboost", "challenger").version == 1


def test_a_challenger_runs_beside_the_champion_as_shadow_rows(make_stack, feature_db, tmp_path):
    from modeling.evaluation import evaluate
    from modeling.grading import grade
    from modeling.train import Windows, train

    st = make_stack(warehouse=feature_db)
    windows = Windows(date(2023, 10, 24), date(2024, 1, 10), date(2024, 1, 11), date(2024, 1, 15))
    train(st.warehouse, st.store, "xgboost", "points", windows, force=True)         # v1 champion
    challenger = train(st.warehouse, st.store, "xgboost", "points", Windows(
        date(2023, 10, 24), date(2023, 12, 20), date(2023, 12, 21), date(2024, 1, 15)), champion=False)
    reg = Registry(st.store)
    reg.set_pointer("points_xgboost", challenger.version, challenger.sha256, expected=None, which="challenger")
    result = run_chain(st, date(2024, 1, 17))
    rows = predictions(st, result["batch_id"]).query("prop == 'points'")   # the challenger is points_xgboost
    xgb = rows[rows.system == "xgboost"]
    assert set(xgb.loc[~xgb.shadow.astype(bool), "model_version"]) == {"1"}
    assert set(xgb.loc[xgb.shadow.astype(bool), "model_version"]) == {str(challenger.version)}
    assert len(xgb) == 2 * result["completed"]
    assert not rows[rows.system != "xgboost"]["shadow"].astype(bool).any()   # the ensemble uses the champion only
    ev = evaluate(st.warehouse, date(2024, 1, 17), date(2024, 1, 17))
    assert set(ev.main["system"]) == {"moving_average", "zone_matchup", "similarity", "xgboost", "catboost",
                                      "ensemble"}
    comparison = ev.challengers.iloc[0]
    assert comparison["n"] > 0 and comparison["challenger_version"] == str(challenger.version)
    grade(st.warehouse, date(2024, 1, 17), date(2024, 1, 17))
    daily = st.warehouse.read(tables.DAILY_ACCURACY.fqn)
    assert {"xgboost", "xgboost (challenger)"} <= set(daily["system"])


def test_retrain_retrains_every_prop_and_refits_the_ensemble_of_a_prop_whose_champion_moved(make_stack, feature_db):
    st = make_stack(warehouse=feature_db)
    done = retrain(st.warehouse, st.store, END, systems=("catboost",), fallback_dir=st.settings.home / "no-bundle")
    assert [o.result.name for o in done.outcomes] == [f"{p}_catboost" for p in PROP_NAMES]
    assert {o.role for o in done.outcomes} == {"champion"}
    reg = Registry(st.store)
    assert set(done.ensembles) == set(PROP_NAMES)
    for prop in PROP_NAMES:
        pointer = reg.pointer(f"{prop}_ensemble")
        weights = json.loads(st.store.read(f"models/{prop}_ensemble/v{pointer.version}/weights.json").data)
        # fitted on the retrain's validation window, for the champion it just registered
        assert weights["windows"]["valid_end"] == str(END)
        assert weights["member_versions"]["catboost"] == f"registry:{reg.pointer(f'{prop}_catboost').version}"
