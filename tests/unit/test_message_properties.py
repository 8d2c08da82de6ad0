"""Properties of the message models and the push decoding: every valid message survives
the wire unchanged, and any push body (mutated field, wrong type, random bytes) is either
a valid message or a PermanentError naming what is wrong; never another exception."""
from __future__ import annotations

import base64
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.errors import PermanentError
from shared.messages import TOPIC_MODELS, PredictionReady, PredictionRequest, ProcessorCompleted
from shared.pubsub import encode_envelope, parse_push

MODELS = list(TOPIC_MODELS.values())
# the constrained id types, which hypothesis cannot read from the pydantic metadata
FIELDS = {"batch_id": st.from_regex(r"[a-f0-9]{32}", fullmatch=True), "player_id": st.integers(1, 2**31 - 1)}


def messages(model):
    return st.builds(model, **{name: s for name, s in FIELDS.items() if name in model.model_fields})

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)


@given(model=st.sampled_from(MODELS), data=st.data())
@settings(max_examples=200, deadline=None)
def test_every_valid_message_round_trips_through_a_push_envelope(model, data):
    message = data.draw(messages(model))
    body = json.dumps(encode_envelope(message.model_dump_json().encode(), {}, "m-1", "2024-01-16T00:00:00Z",
                                      "projects/p/subscriptions/s")).encode()
    assert parse_push(body, model).message == message


@given(model=st.sampled_from([ProcessorCompleted, PredictionRequest, PredictionReady]), data=st.data())
@settings(max_examples=300, deadline=None)
def test_a_mutated_message_is_valid_or_refused_naming_the_field(model, data):
    payload = json.loads(data.draw(messages(model)).model_dump_json())
    field = data.draw(st.sampled_from(sorted(payload) + ["unexpected_field"]))
    if data.draw(st.booleans()):
        payload[field] = data.draw(JSON)
    else:
        payload.pop(field, None)
    body = {"message": {"data": base64.b64encode(json.dumps(payload).encode()).decode(), "messageId": "m"}}
    try:
        parsed = parse_push(body, model).message
    except PermanentError as exc:
        assert field in str(exc) or "schema_version" in str(exc)
    else:
        assert json.loads(parsed.model_dump_json()).keys() <= set(model.model_fields)


@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300), JSON.map(json.dumps).map(str.encode)))
@settings(max_examples=300, deadline=None)
def test_any_push_body_is_a_message_or_a_permanent_error(body):
    for model in MODELS:
        try:
            parse_push(body, model)
        except PermanentError as exc:
            assert str(exc)
