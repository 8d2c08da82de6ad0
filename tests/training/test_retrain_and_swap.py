"""Retraining behind the gate, and a running worker swapping to a new champion within one
poll interval without a restart."""
from __future__ import annotations

from datetime import date

from processors.backfill import backfill
from shared.models.registry import Registry
from tests.e2e.conftest import predictions, run_chain
from worker.training.retrain import retrain

END = date(2024, 4, 14)


def test_a_new_champion_is_served_by_the_running_worker_after_one_poll(make_stack):
    st = make_stack()
    clock = [0.0]
    st.worker.models.clock = lambda: clock[0]
    first = run_chain(st, date(2024, 1, 16))
    rows = predictions(st, first["batch_id"])
    assert set(rows.loc[rows.system == "xgboost", "model_source"]) == {"bundled"}

    backfill(st.warehouse, date(2023, 10, 1), END)
    outcomes = retrain(st.warehouse, st.store, END, systems=("xgboost",))
    assert outcomes[0].role == "champion"            # nothing registered before: the first version wins
    version = str(Registry(st.store).pointer("points_xgboost").version)

    clock[0] += st.worker.models.poll_seconds          # one poll interval later, same process
    second = run_chain(st, date(2024, 1, 17))
    rows = predictions(st, second["batch_id"])
    xgb = rows[rows.system == "xgboost"]
    assert set(xgb["model_source"]) == {"registry"} and set(xgb["model_version"]) == {version}
    assert set(rows.loc[rows.system == "catboost", "model_source"]) == {"bundled"}


def test_a_retrain_that_does_not_beat_the_champion_leaves_latest_unchanged(make_stack):
    st = make_stack()
    backfill(st.warehouse, date(2023, 10, 1), END)
    retrain(st.warehouse, st.store, END, systems=("xgboost",))
    before = st.store.read("models/points_xgboost/latest.json")
    again = retrain(st.warehouse, st.store, END, systems=("xgboost",))
    assert again[0].role == "rejected"
    after = st.store.read("models/points_xgboost/latest.json")
    assert (after.data, after.generation) == (before.data, before.generation)
    log = Registry(st.store).history("points_xgboost")
    assert log[-1]["decision"] == "rejected" and log[-1]["champion_mae"] is not None
    assert "does not beat champion" in log[-1]["reason"]


def test_retrain_as_challenger_sets_only_the_challenger_pointer(make_stack):
    st = make_stack()
    backfill(st.warehouse, date(2023, 10, 1), END)
    out = retrain(st.warehouse, st.store, END, register_as="challenger", systems=("xgboost",))
    reg = Registry(st.store)
    assert out[0].role == "challenger"
    assert reg.pointer("points_xgboost") is None and reg.pointer("points_xgboost", "challenger").version == 1
