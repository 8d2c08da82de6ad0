"""The worker on its own: its app and service over a real warehouse with one night's features,
a directory object store, the bundled models, and a small recording publisher in place of
Pub/Sub (the emulator and end-to-end tests cover the real bus). What it stages, what it
reports, and the status each kind of push gets."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from coordinator.batches import BatchStore
from processors.runner import nightly
from shared import staging, tables, topology
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.catalogue import ROWS_PER_PLAYER
from shared.config import Settings
from shared.messages import PredictionReady, PredictionRequest
from shared.pubsub import encode_envelope
from tests.support.stack import DAY, open_batch
from worker.app import create_app
from worker.main import build_deps

BATCH = "c" * 32
NOBODY = 999999999   # a player id with no feature-store row


class RecordingPublisher:
    """The Publisher port, keeping what was published instead of sending it."""
    def __init__(self):
        self.sent: list[tuple[str, object]] = []

    def publish(self, topic, message, attributes=None) -> str:
        return self.publish_many(topic, [message], attributes)[0]

    def publish_many(self, topic, messages, attributes=None) -> list[str]:
        ids = []
        for message in messages:
            self.sent.append((topic, message))
            ids.append(str(len(self.sent)))
        return ids


class StagingDown(DirectoryStore):
    """A store whose staging writes fail, as a bucket outage would."""
    def write(self, key, data, if_generation_match=None):
        if key.startswith("staging/"):
            raise OSError("bucket unavailable")
        return super().write(key, data, if_generation_match=if_generation_match)


@pytest.fixture(scope="module")
def features(sample_db, tmp_path_factory):
    """The sample warehouse after DAY's processors: feature rows for DAY's players."""
    path = tmp_path_factory.mktemp("worker") / "w.duckdb"
    shutil.copy(sample_db, path)
    wh = DuckDBWarehouse(path)
    assert all(e.status == "success" for e in nightly(wh, None, DAY))
    players = wh.read(tables.ML_FEATURE_STORE.fqn, DAY, DAY)["player_id"].head(2).astype(int).tolist()
    wh.close()
    return path, players


def _deps(features, home, store_class=DirectoryStore):
    """A worker over a copy of the night's warehouse, with BATCH running for its players and NOBODY."""
    path, players = features
    shutil.copy(path, home / "w.duckdb")
    store, bus = store_class(home / "objects"), RecordingPublisher()
    open_batch(BatchStore(store), DAY, [*players, NOBODY], BATCH)
    deps = build_deps(Settings(home=home), warehouse=DuckDBWarehouse(home / "w.duckdb"), store=store, publisher=bus)
    return deps, store, bus, players


@pytest.fixture
def worker(features, tmp_path):
    def make(store_class=DirectoryStore):
        deps, store, bus, players = _deps(features, tmp_path, store_class)
        made.append(deps.warehouse)
        return create_app(deps).test_client(), store, bus, players
    made: list = []
    yield make
    for wh in made:
        wh.close()


def push(client, player_id: int, batch_id: str = BATCH, day: str = str(DAY)):
    message = PredictionRequest(batch_id=batch_id, game_date=day, player_id=player_id, correlation_id="corr-w")
    body = encode_envelope(message.model_dump_json().encode(), {}, f"m-{player_id}", "2024-01-16T00:00:00Z", "s")
    return client.post("/predict", json=body)


def reports(bus) -> list[PredictionReady]:
    assert {topic for topic, _ in bus.sent} <= {topology.PREDICTION_READY}
    return [m for _, m in bus.sent]


def test_a_request_of_a_running_batch_stages_every_row_then_reports_them(worker):
    client, store, bus, players = worker()
    assert push(client, players[0]).status_code == 204
    rows = staging.read(store, BATCH)
    assert len(rows) == ROWS_PER_PLAYER and set(rows["player_id"]) == {players[0]}
    assert rows["predicted"].notna().all() and set(rows["batch_id"]) == {BATCH}
    [ready] = reports(bus)
    assert (ready.status, ready.player_id, ready.n_rows) == ("completed", players[0], ROWS_PER_PLAYER)
    assert ready.correlation_id == "corr-w"


def test_a_redelivered_request_stages_the_same_keys_again(worker):
    client, store, bus, players = worker()
    assert push(client, players[1]).status_code == 204
    assert push(client, players[1]).status_code == 204
    assert len(staging.read(store, BATCH)) == ROWS_PER_PLAYER      # the later rows win, one per key
    assert [r.status for r in reports(bus)] == ["completed", "completed"]


def test_a_player_without_features_is_reported_skipped_so_the_batch_does_not_wait(worker):
    client, store, bus, _ = worker()
    assert push(client, NOBODY).status_code == 204
    assert staging.read(store, BATCH).empty
    [ready] = reports(bus)
    assert ready.status == "skipped" and ready.n_rows == 0 and str(NOBODY) in ready.reason


@pytest.mark.parametrize("batch_id, day, player", [("d" * 32, str(DAY), 0), (BATCH, "2024-01-17", 0),
                                                   (BATCH, str(DAY), 1)],
                         ids=["unknown batch", "another date", "player not in the batch"])
def test_a_request_outside_a_running_batch_is_acked_and_does_nothing(worker, batch_id, day, player):
    client, store, bus, players = worker()
    assert push(client, player or players[0], batch_id, day).status_code == 204   # Pub/Sub must not retry it
    assert staging.staged(store) == {} and bus.sent == []


def test_a_body_that_is_not_a_push_is_acked_as_poison(worker):
    client, store, bus, _ = worker()
    assert client.post("/predict", data=b"not json", content_type="application/json").status_code == 204
    assert staging.staged(store) == {} and bus.sent == []


def test_a_staging_write_that_fails_asks_for_a_retry_and_reports_nothing(worker):
    client, store, bus, players = worker(StagingDown)
    assert push(client, players[0]).status_code == 500               # transient: Pub/Sub redelivers
    assert bus.sent == []                                            # nothing reported before it is stored


def test_requests_predicted_as_one_group_share_one_staging_object_and_each_reports_its_rows(features, tmp_path):
    from worker.service import handle_many

    deps, store, bus, players = _deps(features, tmp_path)
    try:
        group = [PredictionRequest(batch_id=BATCH, game_date=DAY, player_id=p, correlation_id=f"c{i}")
                 for i, p in enumerate([players[0], players[1], players[1], NOBODY])]   # one delivered twice
        handle_many(deps, group)
    finally:
        deps.warehouse.close()
    assert len(staging.staged(store)[BATCH]) == 1
    assert len(staging.read(store, BATCH)) == 2 * ROWS_PER_PLAYER
    assert [(r.player_id, r.status, r.n_rows) for r in reports(bus)] == [
        (NOBODY, "skipped", 0), (players[0], "completed", ROWS_PER_PLAYER),
        (players[1], "completed", ROWS_PER_PLAYER), (players[1], "completed", ROWS_PER_PLAYER)]


def test_objects_staged_as_parquet_read_back_beside_arrow_ones_and_the_later_rows_win(worker):
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    client, store, _, players = worker()
    assert push(client, players[0]).status_code == 204
    rows = staging.read(store, BATCH)
    older = tables.conform(tables.PREDICTIONS, rows.assign(predicted=-1.0, created_at=rows["created_at"] -
                                                            pd.Timedelta(hours=1)))
    newer = tables.conform(tables.PREDICTIONS, rows.assign(predicted=99.0, created_at=rows["created_at"] +
                                                            pd.Timedelta(hours=1)))
    for name, frame in (("old", older), ("new", newer)):   # the layout the worker staged before Arrow IPC
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
        store.write(f"{staging.prefix(BATCH)}{name}.parquet", buffer.getvalue(), if_generation_match=0)
    merged = staging.read(store, BATCH)
    assert len(merged) == ROWS_PER_PLAYER and (merged["predicted"] == 99.0).all()
    assert dict(merged.dtypes) == dict(rows.dtypes)
