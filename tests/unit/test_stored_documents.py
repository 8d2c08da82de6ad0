"""Stored documents read through their models and write back the bytes they were stored with:
documents written before the models (and older shapes still in buckets) keep reading, and a
document that does not match names its key and the field."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from coordinator import slate
from coordinator.batches import BatchStore, describe
from coordinator.documents import DatePointer, DoneMarker, FinalClaim, Progress
from coordinator.service import batch_doc
from orchestrator import state as orchestration
from shared import documents
from shared.adapters.directory_store import DirectoryStore
from shared.batch_docs import BatchDoc, BatchInputs, batch_key
from shared.documents import StoredDocumentError
from shared.errors import PermanentError
from shared.messages import PredictionRequest
from worker.batch_gate import BatchGate

BATCH = "0123456789abcdef0123456789abcdef"
STARTED = "2024-01-16T23:00:01.250000+00:00"


def stored(doc: dict) -> bytes:
    """How every writer stored its dict before the models (json.dumps, keys sorted)."""
    return json.dumps(doc, sort_keys=True, default=str).encode()


# a batch document as /start wrote it: one player ruled out, one with a line and tonight's columns
RUNNING = {
    "batch_id": BATCH, "game_date": "2024-01-16", "players": [201939, 2544, 1629029], "expected": 3,
    "systems": None, "props": ["points"],
    "lines": {"2544": {"points": {"line": 24.5, "book": "fanduel", "over": 1.91, "under": None}}},
    "availability": {"2544": "Questionable"}, "availability_source": "report",
    "tonight": {"201939": {}, "2544": {"tonight_own_status": 2, "tonight_teammates_out": 1.0,
                                       "tonight_teammates_out_pts_share": None},
                "1629029": {}},
    "out": {"201939": "Left Knee; Soreness"},
    "state": "running", "started_at": STARTED, "finished_at": None, "degraded": False,
    "missing_processors": [], "correlation_id": "corr-1", "republished_at": None, "forced": False,
    "subset": False,
    "inputs": {"injury_report_as_of": "2024-01-16T22:00:00Z",
               "injury_report_source": "Injury-Report_2024-01-16_05PM.csv",
               "lines_as_of": None, "lines_source": None},
    "prediction_version": 1, "parent_batch_id": None, "reason": None, "as_of": STARTED}
SUMMARY = {"completed": 1, "skipped": 1, "failed": 0, "skip_reasons": {"201939": "out: Left Knee; Soreness"},
           "fail_reasons": {}}
FINISHED = {**RUNNING, "state": "finished", "finished_at": "2024-01-16T23:04:00+00:00", "missing": [1629029],
            "summary": SUMMARY}
# the shape written before a batch recorded its inputs, tonight's columns and versions
OLDEST = {"batch_id": BATCH, "game_date": "2024-01-16", "players": [2544], "expected": 1, "state": "running",
          "started_at": "2024-01-16T12:00:00", "finished_at": None, "correlation_id": "corr-1"}


@pytest.mark.parametrize("doc", [RUNNING, FINISHED, OLDEST], ids=["running", "finished", "oldest"])
def test_a_batch_document_of_todays_shape_reads_and_writes_back_the_same_bytes(doc):
    read = documents.parse(BatchDoc, batch_key(BATCH), stored(doc))
    assert documents.encode(read) == stored(doc)
    assert read.players == doc["players"] and read.game_date == date(2024, 1, 16)


def test_an_older_batch_document_reads_with_the_defaults_its_readers_assumed(tmp_path):
    store = DirectoryStore(tmp_path)
    store.write(batch_key(BATCH), stored(OLDEST))
    doc, _ = BatchStore(store).batch(BATCH)
    assert doc.inputs == BatchInputs() and doc.prediction_version == 1 and doc.availability_source == "none"
    assert doc.tonight == {} and doc.summary is None and doc.missing == []
    assert describe(BatchStore(store), BATCH)["missing"] == [2544]


def test_the_writer_stores_what_it_stored_before_the_models(tmp_path):
    tonight = slate.Slate(out={201939: "Left Knee; Soreness"}, availability={2544: "Questionable"},
                          lines={2544: {"points": {"line": 24.5, "book": "fanduel", "over": 1.91, "under": None}}},
                          inputs=BatchInputs(injury_report_as_of=datetime(2024, 1, 16, 22, tzinfo=UTC),
                                             injury_report_source="Injury-Report_2024-01-16_05PM.csv"))
    columns = {"2544": RUNNING["tonight"]["2544"]}
    doc = batch_doc(BATCH, date(2024, 1, 16), [201939, 2544, 1629029], tonight,
                    datetime.fromisoformat(STARTED), correlation_id="corr-1", props=["points"],
                    availability_source="report", tonight_columns=columns)
    store = DirectoryStore(tmp_path)
    BatchStore(store).put_batch(doc)
    assert store.read(batch_key(BATCH)).data == stored(RUNNING)


def test_finishing_a_batch_adds_only_what_finishing_wrote(tmp_path):
    store = DirectoryStore(tmp_path)
    store.write(batch_key(BATCH), stored(RUNNING))
    batches = BatchStore(store)
    finished = FINISHED["finished_at"]

    def close(d: BatchDoc) -> None:
        d.state, d.finished_at, d.missing = "finished", datetime.fromisoformat(finished), [1629029]
        d.summary = documents.parse(BatchDoc, "summary", stored(FINISHED)).summary
    batches.update_batch(BATCH, close)
    assert store.read(batch_key(BATCH)).data == stored(FINISHED)


@pytest.mark.parametrize(("model", "doc"), [
    (DatePointer, {"batch_id": BATCH, "claimed_at": STARTED, "host": "h1", "pid": 4242}),
    (FinalClaim, {"state": "claimed", "claimed_at": STARTED, "token": "t" * 32, "host": "h1", "pid": 4242}),
    (FinalClaim, {"state": "failed", "claimed_at": STARTED, "token": "t", "host": "h1", "pid": 1, "error": "boom"}),
    (FinalClaim, {"state": "finalized", "claimed_at": STARTED, "token": "t", "host": "h1", "pid": 1,
                  "finalized_at": "2024-01-16T23:04:00+00:00", "rows": 42, "missing": [], "summary": SUMMARY}),
    (DoneMarker, {"status": "completed", "reason": None, "n_rows": 14, "at": STARTED}),
    (Progress, {"count": 2, "at": STARTED}),
], ids=["pointer", "claim", "claim-failed", "claim-finalized", "marker", "progress"])
def test_the_coordinators_documents_read_and_write_back_the_same_bytes(model, doc):
    assert documents.encode(documents.parse(model, "batches/x.json", stored(doc))) == stored(doc)


def test_the_orchestration_state_reads_and_writes_back_the_same_bytes(tmp_path):
    entry = {"status": "success", "run_id": "r1", "rows": 10, "rows_rejected": 0, "error": None,
             "finished_at": "2024-01-15T10:00:00+00:00", "recorded_at": STARTED, "correlation_id": "c"}
    state = {"game_date": "2024-01-15", "expected": ["player_daily_cache"],
             "processors": {"player_daily_cache": entry}, "history": [{"processor": "player_daily_cache", **entry}],
             "trigger": {"state": "triggered", "attempts": 1, "claim": "tok", "claimed_at": STARTED,
                         "degraded": False, "missing": [], "triggered_at": STARTED, "batch_id": BATCH},
             "alerts": []}
    store = DirectoryStore(tmp_path)
    store.write(orchestration.key_for(date(2024, 1, 15)), stored(state))
    read, _ = orchestration.load(store, date(2024, 1, 15))
    assert read.trigger.state == "triggered" and read.done() == ["player_daily_cache"]
    assert documents.encode(read) == stored(state)
    fresh, generation = orchestration.load(store, date(2024, 1, 16))
    assert generation == 0 and documents.encode(fresh) == stored(
        {"game_date": "2024-01-16", "expected": fresh.expected, "processors": {}, "history": [],
         "trigger": {"state": "pending", "attempts": 0}, "alerts": []})


def test_a_document_that_does_not_match_names_its_key_and_the_field(tmp_path):
    store = DirectoryStore(tmp_path)
    store.write(batch_key(BATCH), stored({**RUNNING, "expected": "three"}))
    with pytest.raises(StoredDocumentError, match=rf"^batches/{BATCH}/batch.json: field expected: .*integer"):
        BatchStore(store).batch(BATCH)
    store.write(batch_key(BATCH), stored({**RUNNING, "lines": {"2544": {"points": {"line": -1}}}}))
    with pytest.raises(StoredDocumentError, match=r"field lines.2544.points.line: "):
        BatchStore(store).batch(BATCH)


def test_the_worker_drops_a_request_whose_batch_document_is_malformed(tmp_path):
    store = DirectoryStore(tmp_path)
    store.write(batch_key(BATCH), stored({**RUNNING, "players": "all"}))
    request = PredictionRequest(batch_id=BATCH, game_date=date(2024, 1, 16), player_id=2544, correlation_id="c")
    with pytest.raises(PermanentError, match="field players"):
        BatchGate(store).check(request)
