"""schemathesis against the coordinator, worker, console and warehouse reader apps, from the
OpenAPI description each serves: for valid and invalid generated input, no 5xx, only the
documented status codes, content types and response shapes, invalid input rejected, and
credentials required."""
from __future__ import annotations

import base64
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from bin import stack as local
from shared.auth import bearer
from shared.config import Settings
from tests.support.prepared import copy_of

AUTH = {"Authorization": "Bearer test-token-0123456789"}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.negative_data_rejection, checks.ignored_auth]
# a Pub/Sub push endpoint acks a body it cannot use (204) rather than rejecting it: a 4xx
# would make Pub/Sub redeliver the poison until the dead-letter topic
PUSH = {"/complete", "/predict"}
EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def apps(tmp_path_factory, night_home):
    from bin.warehouse_reader import create_app as reader
    from console.app import create_app as console
    from console.main import access_from_settings
    from coordinator.app import create_app as coordinator
    from worker.app import create_app as worker

    # a batch, predictions and grades for the read API to serve: a copy of the session's night
    home = copy_of(night_home, tmp_path_factory.mktemp("api"))
    settings = Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": "test-token-0123456789"})
    st = local.start(settings, start_dispatcher=False)
    yield {"coordinator": coordinator(st.coordinator, bearer("test-token-0123456789")),
           "worker": worker(st.worker, bearer("test-token-0123456789")),
           "console": console(st.console, access_from_settings(settings)),
           "reader": reader(st.warehouse, bearer("test-token-0123456789"))}
    st.stop()


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """Every (service, operation, mode); invalid input only where an operation takes input."""
    from bin.warehouse_reader import SPEC as reader
    from console.app import SPEC as console
    from coordinator.app import SPEC as coordinator
    from worker.app import SPEC as worker

    found = []
    for service, spec in (("coordinator", coordinator), ("worker", worker), ("console", console),
                          ("reader", reader)):
        for path, ops in spec["paths"].items():
            for method, op in ops.items():
                takes_input = "requestBody" in op or "parameters" in op
                for mode in GenerationMode if takes_input else [GenerationMode.POSITIVE]:
                    found.append(pytest.param(service, f"{method.upper()} {path}", mode,
                                              id=f"{service} {method.upper()} {path} {mode.value}"))
    return found


@pytest.mark.parametrize("service, operation, mode", _cases())
def test_each_operation_honours_the_services_openapi_description(apps, service, operation, mode):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", apps[service], headers=AUTH)
    method, path = operation.split()
    op = schema[path][method]
    excluded = [checks.negative_data_rejection] if path in PUSH else []
    wanted = [c for c in CHECKS if c not in excluded]

    @given(case=op.as_strategy(generation_mode=mode))
    @EXAMPLES
    def run(case):
        assume(sent_as_generated(case))
        case.call_and_validate(headers=AUTH, checks=wanted)

    run()


def sent_as_generated(case) -> bool:
    """Whether the request goes out as the case was generated. Encoding the query, werkzeug
    leaves out a parameter whose value is an empty list (or None), so a negative case made
    invalid only by such a parameter (``{"": []}``, ``{"prop": []}``) reaches the app as a
    valid request, and "schema-violating request accepted" would be about a request that was
    never sent."""
    return not isinstance(case.query, dict) or all(v != [] and v is not None for v in case.query.values())


def test_a_case_whose_parameter_vanishes_on_the_wire_is_not_sent():
    """The reproduction CI printed for `GET /v1/accuracy negative` was a valid request: the
    generated case had one more parameter, an empty name with an empty list."""
    from werkzeug.test import EnvironBuilder

    from console.app import SPEC

    op = schemathesis.openapi.from_dict(SPEC)["/v1/accuracy"]["GET"]
    for query in ({"end": "2000-01-01", "": []}, {"prop": [], "end": "2000-01-01"}):
        case = op.Case(query=query)
        assert EnvironBuilder(query_string=query).query_string == "end=2000-01-01", "lost on the wire"
        assert not sent_as_generated(case)
    assert sent_as_generated(op.Case(query={"end": "2000-01-01", "": ""}))   # sent as "&=": a 400 naming <query>


@pytest.mark.parametrize("module", ["coordinator.app", "worker.app", "orchestrator.api", "console.app",
                                    "bin.warehouse_reader"])
def test_every_description_is_a_valid_openapi_document(module):
    import importlib

    schema = schemathesis.openapi.from_dict(importlib.import_module(module).SPEC)
    operations = [result.ok() for result in schema.get_all_operations()]   # ok() raises on an invalid one
    assert operations and all(op.definition.raw.get("responses") for op in operations)


# -- hostile generators: what schema-driven generation does not reach --------------------------
class Deep:
    """A value nested ``depth`` arrays deep, written as text: too deep for json.dumps here."""
    def __init__(self, depth: int, leaf: str = "1"):
        self.depth, self.leaf = depth, leaf


def render(value) -> str:
    if isinstance(value, Deep):
        return "[" * value.depth + value.leaf + "]" * value.depth
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(render(v) for v in value) + "]"
    return json.dumps(value)


DEEP = st.builds(Deep, st.integers(min_value=15, max_value=3000), st.sampled_from(["1", '"x"', '{"message": {}}']))
DATES = st.sampled_from(["2024-01-16", "2024-01-16T00:00", "20240116", "2024-W03-2", "2024-1-16", 1705276800, 0,
                         None, True, "", "2024-02-30"])
BATCH_IDS = st.one_of(st.sampled_from(["zzz", "../../x", "a" * 32 + "\n", "A" * 32, "a" * 31, "", "%0a"]),
                      st.text(max_size=40), st.integers())
PLAYER_IDS = st.sampled_from([2544, "2544", " 2544", "+2544", "02544", 0, -1, 2**31, 2544.0, True, None])


def _message(fields) -> st.SearchStrategy:
    """A push message of the endpoint's shape with hostile values and, sometimes, a deep member."""
    return st.fixed_dictionaries(fields, optional={"extra": DEEP})


def _envelopes(message: st.SearchStrategy) -> st.SearchStrategy:
    encoded = st.one_of(message.map(render), DEEP.map(render), st.text(max_size=50)).map(
        lambda text: base64.b64encode(text.encode()).decode())
    data = st.one_of(encoded, st.text(max_size=20), st.integers(), st.none(), DEEP)
    inner = st.fixed_dictionaries({"data": data}, optional={"messageId": st.text(max_size=10),
                                                           "attributes": st.one_of(st.none(), st.integers())})
    return st.one_of(st.fixed_dictionaries({"message": inner}, optional={"subscription": st.integers()}),
                     st.fixed_dictionaries({"message": st.one_of(st.text(), st.integers(), st.lists(inner), DEEP)}),
                     DEEP)


HOSTILE = {
    ("coordinator", "/start"): st.one_of(
        st.fixed_dictionaries({}, optional={"game_date": DATES, "players": st.lists(PLAYER_IDS, max_size=3),
                                            "lines": st.dictionaries(st.sampled_from(["2544", " 2544", "02544",
                                                                                      "+1", "x"]),
                                                                     st.one_of(st.floats(allow_nan=False,
                                                                                         allow_infinity=False),
                                                                               st.text()), max_size=3),
                                            "force": st.sampled_from([True, "yes", 1, None])}),
        st.fixed_dictionaries({"players": DEEP}), DEEP),
    ("coordinator", "/complete"): _envelopes(_message({"batch_id": BATCH_IDS, "game_date": DATES,
                                                      "player_id": PLAYER_IDS,
                                                      "status": st.sampled_from(["completed", "x"])})),
    ("worker", "/predict"): _envelopes(_message({"batch_id": BATCH_IDS, "game_date": DATES,
                                                 "player_id": PLAYER_IDS})),
}


@pytest.mark.parametrize("service, path", sorted(HOSTILE), ids=lambda v: str(v))
def test_depth_heavy_and_malformed_bodies_never_reach_a_5xx(apps, service, path):
    from coordinator.requests import StartRequest

    schema = schemathesis.openapi.from_wsgi("/openapi.json", apps[service], headers=AUTH)
    op = schema[path]["POST"]
    wanted = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance]

    @given(body=HOSTILE[(service, path)])
    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(body):
        text = render(body)
        # raw bytes: given a str for a JSON body, schemathesis would send it as one JSON string
        case = op.Case(body=text.encode(), media_type="application/octet-stream")
        response = case.call_and_validate(headers={**AUTH, "Content-Type": "application/json"}, checks=wanted)
        if path in PUSH:
            assert response.status_code == 204, (text[:200], response.text)
        elif response.status_code != 400:   # only a body the model accepts may get past validation
            StartRequest.model_validate_json(text)

    run()
