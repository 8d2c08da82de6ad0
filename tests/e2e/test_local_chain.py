"""The whole chain on the embedded default: processors -> orchestrator -> coordinator ->
workers -> consolidated predictions, over real HTTP and the durable local bus."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd

from shared import tables, topology
from shared.catalogue import PROP_NAMES, ROWS_PER_PLAYER, SYSTEM_NAMES
from shared.models import BUNDLED
from tests.support.stack import DAY, predictions, run_chain

SYSTEMS = set(SYSTEM_NAMES)


def test_a_real_date_ends_with_one_row_per_player_and_system_and_says_which_fell_back(make_stack, caplog):
    import logging

    st = make_stack()     # the feature store holds only the night itself: no history for similarity
    with caplog.at_level(logging.WARNING, logger="worker.service"):
        result = run_chain(st)
    assert result["state"] == "finished" and result["expected"] == 97
    assert result["completed"] + result["skipped"] == 97 and result["missing"] == []
    rows = predictions(st, result["batch_id"])
    assert len(rows) == 97 * ROWS_PER_PLAYER and set(rows["system"]) == SYSTEMS
    assert not rows.duplicated(["player_id", "system", "prop"]).any()
    for col in ("batch_id", "model_name", "model_version", "model_source", "feature_version", "created_at"):
        assert rows[col].notna().all(), col
    assert set(rows.loc[rows.system.isin(["xgboost", "catboost"]), "model_source"]) == {"bundled"}
    assert set(rows.loc[rows.system == "moving_average", "model_source"]) == {"rule"}
    assert (rows["p10"] <= rows["p50"]).all() and (rows["p50"] <= rows["p90"]).all()
    assert rows["predicted"].between(0, 60).all()
    done = st.bus.messages(topology.PREDICTIONS_COMPLETE)
    assert len(done) == 1 and done[0]["rows"] == 97 * ROWS_PER_PLAYER and done[0]["completed"] == 97

    # a system that falls back says so in its rows and once in the log
    similarity = rows[rows["system"] == "similarity"]
    assert len(similarity) == 97 * len(PROP_NAMES) and set(similarity["model_source"]) == {"fallback"}
    assert set(rows.loc[rows["system"] == "zone_matchup", "model_source"]) == {"rule"}
    said = [r for r in caplog.records if "falls back to its simple forecast" in r.getMessage()]
    assert len(said) == 1 and said[0].batch_id == result["batch_id"]
    # what is missing and what builds it: the sample's game dates before the night
    assert "the feature store: it holds 0 of the 78 game dates with box scores in the 400 days before 2024-01-16" \
        in said[0].getMessage()
    assert "`bin/pipeline backfill --start 2023-10-24 --end 2024-01-15` builds the rest" in said[0].getMessage()
    for prop in PROP_NAMES:
        assert st.worker.metrics.predictions.labels("similarity", "fallback", prop)._value.get() == 97


def test_every_message_delivered_three_times_shuffled_changes_nothing(make_stack):
    clean = make_stack("clean")
    expected = run_chain(clean)
    tripled = [topology.Subscription(f"{s.name}-{i}", s.topic, s.service, s.path, s.ack_deadline_s,
                                     s.max_delivery_attempts, s.min_backoff_s, s.max_backoff_s)
               for s in topology.SUBSCRIPTIONS for i in range(3)]
    noisy = make_stack("noisy", bus_options={"subscriptions": tripled, "shuffle": True})
    got = run_chain(noisy)
    assert got["state"] == "finished" and got["completed"] == expected["completed"]
    key = ["player_id", "system"]
    a = predictions(clean).sort_values(key).reset_index(drop=True)
    b = predictions(noisy).sort_values(key).reset_index(drop=True)
    assert len(b) == len(a) == 97 * ROWS_PER_PLAYER
    pd.testing.assert_frame_equal(a[key + ["predicted", "p10", "p90", "model_version"]],
                                  b[key + ["predicted", "p10", "p90", "model_version"]])
    assert len(noisy.bus.messages(topology.PREDICTIONS_COMPLETE)) == 1
    final = json.loads(noisy.store.read(f"batches/{got['batch_id']}/final.json").data)
    assert final["state"] == "finalized"


class Flaky:
    """The worker's object store failing its first staging writes (a transient outage)."""

    def __init__(self, inner, failures):
        self.inner, self.failures, self.calls = inner, failures, 0

    def write(self, key, data, if_generation_match=None):
        if key.startswith("staging/"):
            self.calls += 1
            if self.calls <= self.failures:
                raise ConnectionError("object store unavailable")
        return self.inner.write(key, data, if_generation_match)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_transient_worker_errors_are_redelivered_and_the_batch_completes(make_stack):
    from worker.staging import StagingWriter

    st = make_stack()
    flaky = Flaky(st.store, failures=40)
    st.worker.staging = StagingWriter(flaky)
    result = run_chain(st)
    assert result["state"] == "finished" and result["completed"] == 97
    assert flaky.calls > 40          # every failed write was answered 500 and redelivered
    rows = predictions(st, result["batch_id"])
    assert len(rows) == 97 * ROWS_PER_PLAYER and not rows.duplicated(["player_id", "system", "prop"]).any()
    assert st.store.list(f"staging/{result['batch_id']}/") == []    # cleared once merged


def test_corrupt_registry_model_falls_back_to_the_bundle_and_says_so(make_stack):
    st = make_stack()
    from shared.models import native
    from shared.models.registry import Registry

    reg = Registry(st.store)
    bundled = (native.FORMATS["xgboost"], open(BUNDLED / "points_xgboost" / "model.ubj", "rb").read())
    schema = json.loads(open(BUNDLED / "points_xgboost" / "schema.json").read())
    reg.claim_version("points_xgboost")
    digest = reg.put("points_xgboost", 1, "xgboost", bundled[1][:-10] + b"corrupted!", {}, schema)
    reg.set_pointer("points_xgboost", 1, "0" * 64, expected=None)   # sha256 that matches nothing
    assert digest != "0" * 64
    result = run_chain(st)
    rows = predictions(st, result["batch_id"])
    assert set(rows.loc[rows.system == "xgboost", "model_source"]) == {"bundled"}
    health = st.worker.models.status()["points_xgboost"]
    assert health["source"] == "bundled" and "sha256" in health["error"]
    from worker.app import create_app

    deep = create_app(st.worker).test_client().get("/health/deep").json
    assert deep["status"] == "degraded" and "sha256" in deep["checks"]["points_xgboost"]["error"]


def test_a_player_without_features_is_skipped_with_a_reason(make_stack):
    st = make_stack()
    from coordinator.requests import StartRequest
    from coordinator.service import start
    from processors.runner import nightly

    nightly(st.warehouse, None, DAY)
    first = int(st.warehouse.read(tables.ML_FEATURE_STORE.fqn, DAY, DAY)["player_id"].iloc[0])
    code, body = start(st.coordinator, StartRequest(game_date=DAY, players=[first]), DAY)
    assert code == 202
    st.warehouse.query(f"DELETE FROM {tables.ML_FEATURE_STORE.fqn} WHERE player_id = @p", {"p": first})
    st.worker.features._features.clear()  # the worker cached the day before the row was deleted
    st.bus.drain()
    from coordinator.service import status

    result = status(st.coordinator, body["batch_id"])
    assert result["state"] == "finished" and result["skipped"] == 1
    assert "no feature-store row" in result["skip_reasons"][str(first)]


def test_export_has_the_fixed_leading_columns(night_home, tmp_path):
    from tests.support.cli import invoke
    from tests.support.prepared import copy_of

    home = copy_of(night_home, tmp_path / "home")      # the sample night's chain, run once a session
    out = tmp_path / "preds.csv"
    proc = invoke("export-predictions", "--start", DAY, "--end", DAY, "--out", out, home=home)
    assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(out)
    assert list(frame.columns[:13]) == ["game_date", "player_id", "player_name", "system", "prop", "predicted",
                                        "p10", "p50", "p90", "model_name", "model_version", "model_source",
                                        "batch_id"]
    assert len(frame) == 97 * ROWS_PER_PLAYER and set(frame["prop"]) == set(PROP_NAMES)
    assert frame["game_date"].iloc[0] == str(DAY)
    assert date.fromisoformat(frame["game_date"].iloc[0]) == DAY


def test_with_the_earlier_dates_in_the_feature_store_similarity_finds_its_neighbours(make_stack, caplog):
    import logging

    from processors.backfill import backfill

    st = make_stack()
    backfill(st.warehouse, date(2023, 10, 1), DAY - timedelta(days=1))
    with caplog.at_level(logging.WARNING, logger="worker.service"):
        result = run_chain(st)
    rows = predictions(st, result["batch_id"])
    sources = rows.loc[rows["system"] == "similarity", "model_source"]
    assert (sources == "rule").mean() > 0.85
    said = [r.getMessage() for r in caplog.records if "falls back to its simple forecast" in r.getMessage()]
    # the few left are players without five earlier games, and nothing is missing to say so
    assert len(said) == 1 and "new or rarely used players" in said[0] and "backfill" not in said[0]


def test_ensemble_weights_are_served_from_the_registry_and_the_rows_say_which(make_stack):
    import json

    from shared.models import BUNDLED
    from shared.models.native import sha256
    from shared.models.registry import Registry

    st = make_stack()
    registry = Registry(st.store)
    doc = {**json.loads((BUNDLED / "points_ensemble" / "weights.json").read_text()), "version": "ens-test",
           "weights": {"xgboost": 0.5, "catboost": 0.5}}
    version = registry.claim_version("points_ensemble")
    data = json.dumps(doc).encode()
    st.store.write(f"models/points_ensemble/v{version}/weights.json", data)
    registry.set_pointer("points_ensemble", version, sha256(data), expected=None)
    result = run_chain(st)
    rows = predictions(st, result["batch_id"])
    rows = rows[rows["prop"] == "points"]     # the other props' weights are still the bundled ones
    ensemble = rows[rows["system"] == "ensemble"].set_index("player_id")
    assert set(ensemble["model_source"]) == {"registry"}
    bundled = {s: json.loads((BUNDLED / f"points_{s}" / "schema.json").read_text())["version"]
               for s in ("catboost", "xgboost")}
    assert set(ensemble["model_version"]) == {   # and its members
        f"{version}[catboost:bundled-v{bundled['catboost']}+xgboost:bundled-v{bundled['xgboost']}]"}
    members = rows[rows["system"].isin(["xgboost", "catboost"])].groupby("player_id")["predicted"].mean()
    assert (ensemble["predicted"] - members.reindex(ensemble.index)).abs().max() < 1e-9   # the registry's 50/50
