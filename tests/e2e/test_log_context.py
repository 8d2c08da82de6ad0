"""Every log line a request writes can be joined to its batch and its trace in Cloud Logging:
batch_id, correlation_id and the trace ids from the push request, through the real apps."""
from __future__ import annotations

import io
import json
import logging

import pytest

from shared.logging import setup_logging
from shared.messages import PredictionRequest
from shared.pubsub import encode_envelope
from tests.support.stack import DAY, open_batch

TRACE = "105445aa7843bc8bf206b12000100000"


@pytest.fixture
def stream():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    out = io.StringIO()
    setup_logging("worker", "INFO", out)
    yield out
    root.handlers[:], _ = saved[0], root.setLevel(saved[1])


def test_a_push_request_logs_with_its_batch_correlation_and_trace(make_stack, stream):
    from worker.app import create_app

    st = make_stack()
    open_batch(st.coordinator.batches, DAY, [999999999])
    message = PredictionRequest(batch_id="b" * 32, game_date="2024-01-16", player_id=999999999,
                                correlation_id="corr-1")
    body = encode_envelope(message.model_dump_json().encode(), {}, "m1", "2024-01-16T00:00:00Z", "s")
    client = create_app(st.worker, None, "demo-proj").test_client()
    answer = client.post("/predict", json=body, headers={"X-Cloud-Trace-Context": f"{TRACE}/1;o=1"})
    assert answer.status_code == 204
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    skip = next(line for line in lines if "999999999" in line["message"])    # no features: a logged skip
    assert skip["batch_id"] == "b" * 32 and skip["correlation_id"] == "corr-1"
    assert skip["logging.googleapis.com/trace"] == f"projects/demo-proj/traces/{TRACE}"
    assert skip["logging.googleapis.com/spanId"] == "1"
    client.get("/health")
    logging.getLogger("after").warning("outside any request")
    after = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert "batch_id" not in after and "logging.googleapis.com/trace" not in after
