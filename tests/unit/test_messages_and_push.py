import json
import logging

import pytest

from shared.errors import PermanentError, TransientError
from shared.messages import MessageError, PredictionRequest, ProcessorCompleted, parse
from shared.pubsub import encode_envelope, handle_push, parse_push

GOOD = {"processor": "player_daily_cache", "game_date": "2024-01-15", "status": "success", "rows": 10,
        "run_id": "r1", "started_at": "2024-01-15T10:00:00Z", "finished_at": "2024-01-15T10:00:02Z"}


def envelope(payload, attributes=None) -> bytes:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return json.dumps(encode_envelope(data, attributes or {}, "m-1", "2024-01-15T10:00:00Z", "s")).encode()


def test_unknown_field_is_named():
    with pytest.raises(MessageError, match="field 'colour'"):
        parse(ProcessorCompleted, {**GOOD, "colour": "red"})


def test_invalid_value_names_field_and_value():
    with pytest.raises(MessageError, match=r"field 'game_date' = '2024-13-45'"):
        parse(ProcessorCompleted, {**GOOD, "game_date": "2024-13-45"})


def test_wrong_schema_version_is_refused():
    with pytest.raises(MessageError, match="schema_version"):
        parse(ProcessorCompleted, {**GOOD, "schema_version": 2})


def test_every_message_gets_a_correlation_id():
    m = parse(ProcessorCompleted, GOOD)
    assert m.correlation_id and m.schema_version == 1


def test_parse_push_roundtrip_with_attributes():
    push = parse_push(envelope(GOOD, {"k": "v"}), ProcessorCompleted)
    assert push.message.processor == "player_daily_cache" and push.attributes == {"k": "v"}
    assert push.message_id == "m-1"


@pytest.mark.parametrize("body", [b"not json", b"{}", json.dumps({"message": {"data": "%%%"}}).encode(),
                                  envelope(b"not json inside"), envelope({"player_id": "x"}), b"x" * 2_000_000])
def test_poison_messages_are_acked_with_204_and_logged(body, caplog):
    calls = []
    with caplog.at_level(logging.ERROR):
        assert handle_push(body, PredictionRequest, calls.append) == 204
    assert calls == [] and caplog.records[-1].levelname == "ERROR"


def test_transient_error_maps_to_500_and_permanent_to_204():
    def transient(_):
        raise TransientError("warehouse timeout")

    def permanent(_):
        raise PermanentError("player has no features")

    body = envelope({"batch_id": "b" * 32, "game_date": "2024-01-15", "player_id": 5})
    assert handle_push(body, PredictionRequest, transient) == 500
    assert handle_push(body, PredictionRequest, permanent) == 204
    assert handle_push(body, PredictionRequest, lambda push: None) == 204


def test_unexpected_errors_propagate_rather_than_being_swallowed():
    def bug(_):
        raise ZeroDivisionError

    body = envelope({"batch_id": "b" * 32, "game_date": "2024-01-15", "player_id": 5})
    with pytest.raises(ZeroDivisionError):
        handle_push(body, PredictionRequest, bug)


def test_every_push_outcome_is_counted_for_the_services_metrics():
    from shared.metrics import ServiceMetrics

    metrics = ServiceMetrics("worker")
    good = json.dumps(encode_envelope(PredictionRequest(batch_id="b" * 32, game_date="2024-01-16", player_id=1)
                                      .model_dump_json().encode(), {}, "m", "t", "s")).encode()

    def transient(push):
        raise TransientError("later")

    def permanent(push):
        raise PermanentError("never")

    for body, handler in ((b"{not json", None), (good, transient), (good, permanent), (good, lambda p: None),
                          (good, lambda p: None)):
        handle_push(body, PredictionRequest, handler, metrics.count_push)
    got = {o: metrics.registry.get_sample_value("pipeline_push_messages_total", {"service": "worker", "outcome": o})
           for o in ("poison", "transient", "permanent", "ok")}
    assert got == {"poison": 1, "transient": 1, "permanent": 1, "ok": 2}
