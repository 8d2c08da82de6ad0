"""What functions-framework refuses before the function runs is answered in JSON naming the
fault, and never repeats the request: not its headers (a bearer token), not its body."""
from __future__ import annotations

import json

import pytest

from tests.orchestrator.conftest import ALL, binary_headers, completion, post_binary
from tests.support.fake_coordinator import FakeCoordinator

TOKEN = "sentinel-token-5d1c0a9e7b"
# not a Pub/Sub push envelope either (the framework converts one of those into an event)
BODY = json.dumps({"note": "sentinel-body-82f3", "completion": completion(ALL[0]).model_dump(mode="json")})
SECRETS = (TOKEN, "sentinel-body-82f3")


def without(headers: dict, *names: str) -> dict:
    return {k: v for k, v in headers.items() if k not in names}


EVENT = binary_headers("e-1")
CASES = {
    "no CloudEvent headers": ({"Content-Type": "application/json"}, "ce-id", "missing headers ce-id, ce-specversion"),
    "no ce-source": (without(EVENT, "ce-source"), "ce-source", "missing header ce-source"),
    "unknown spec version": ({**EVENT, "ce-specversion": "sentinel-body-82f3"}, "ce-specversion",
                             "ce-specversion must be one of 1.0, 0.3"),
    "structured without attributes": ({"Content-Type": "application/cloudevents+json"}, "<body>",
                                      "needs the attributes specversion, id, type and source"),
}


@pytest.mark.parametrize("headers, field, says", CASES.values(), ids=CASES)
def test_a_request_that_is_no_cloud_event_is_a_json_400_that_repeats_nothing(wire, app, headers, field, says):
    wire("http://127.0.0.1:9")
    resp = app.test_client().post("/", data=BODY, headers={**headers, "Authorization": f"Bearer {TOKEN}",
                                                           "X-Forwarded-For": "sentinel-body-82f3"})
    assert resp.status_code == 400 and resp.is_json, resp.get_data(as_text=True)[:300]
    assert resp.json["field"] == field and says in resp.json["error"]
    assert not any(s in resp.get_data(as_text=True) for s in SECRETS)
    assert wire.deps.orchestrator.store.list("") == []


def test_a_method_other_than_post_is_a_json_405_with_allow(app):
    resp = app.test_client().get("/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 405 and resp.is_json and resp.json == {"error": "405 Method Not Allowed"}
    assert resp.headers["Allow"] == "POST"


def test_a_transient_failure_is_a_json_500_marked_as_a_crash_without_its_text(wire, app):
    with FakeCoordinator(statuses=[503]) as coord:
        wire(coord.url)
        client = app.test_client()
        for p in ALL[:-1]:
            assert post_binary(client, completion(p)).status_code == 200
        resp = post_binary(client, completion(ALL[-1]))
    assert resp.status_code == 500 and resp.is_json   # Pub/Sub redelivers
    assert resp.json == {"error": "internal error; the service's log has the details"}
    assert resp.headers["X-Google-Status"] == "crash" and coord.url not in resp.get_data(as_text=True)


def test_the_deadline_functions_refusals_are_json_too(wire):
    client = wire.app("check_deadlines", "http").test_client()
    resp = client.get("/robots.txt")
    assert resp.status_code == 404 and resp.is_json and resp.json == {"error": "404 Not Found"}
