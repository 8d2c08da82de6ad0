"""schemathesis against the coordinator and worker apps, from the OpenAPI description each
serves: for valid and invalid generated input, no 5xx, only the documented status codes,
content types and response shapes, invalid input rejected, and credentials required."""
from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from bin import stack as local
from processors.runner import nightly
from shared.auth import bearer
from shared.config import Settings
from tests.e2e.conftest import DAY

AUTH = {"Authorization": "Bearer test-token-0123456789"}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.negative_data_rejection, checks.ignored_auth]
# a Pub/Sub push endpoint acks a body it cannot use (204) rather than rejecting it: a 4xx
# would make Pub/Sub redeliver the poison until the dead-letter topic
PUSH = {"/complete", "/predict"}
EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def apps(tmp_path_factory, sample_db):
    from coordinator.app import create_app as coordinator
    from worker.app import create_app as worker

    home = tmp_path_factory.mktemp("api")
    shutil.copy(sample_db, home / "warehouse.duckdb")
    st = local.start(Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": "test-token-0123456789"}),
                     start_dispatcher=False)
    nightly(st.warehouse, None, DAY)
    yield {"coordinator": coordinator(st.coordinator, bearer("test-token-0123456789")),
           "worker": worker(st.worker, bearer("test-token-0123456789"))}
    st.stop()


def _cases() -> list[tuple[str, str, GenerationMode]]:
    """Every (service, operation, mode); invalid input only where an operation takes input."""
    from coordinator.app import SPEC as coordinator
    from worker.app import SPEC as worker

    found = []
    for service, spec in (("coordinator", coordinator), ("worker", worker)):
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
        case.call_and_validate(headers=AUTH, checks=wanted)

    run()


@pytest.mark.parametrize("module", ["coordinator.app", "worker.app", "orchestrator.api"])
def test_every_description_is_a_valid_openapi_document(module):
    import importlib

    schema = schemathesis.openapi.from_dict(importlib.import_module(module).SPEC)
    operations = [result.ok() for result in schema.get_all_operations()]   # ok() raises on an invalid one
    assert operations and all(op.definition.raw.get("responses") for op in operations)
