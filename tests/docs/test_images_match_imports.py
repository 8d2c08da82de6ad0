"""Each image copies exactly the packages of ours its entry point imports (so the worker
image carries no training code), and the function package the orchestrator's."""
from __future__ import annotations

import re

import grimp
import pytest

from tests.conftest import ROOT

OURS = ("shared", "coordinator", "worker", "orchestrator", "processors", "ingest", "modeling", "bin")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*OURS)


def needed(graph, entry: str) -> set[str]:
    return {m.split(".")[0] for m in graph.find_upstream_modules(entry)} | {entry.split(".")[0]}


def copied(dockerfile: str) -> set[str]:
    text = (ROOT / dockerfile).read_text()
    return {m.group(1) for m in re.finditer(r"^COPY (\w+)/ \1/$", text, flags=re.M)}


@pytest.mark.parametrize("service", ["coordinator", "worker"])
def test_a_service_image_copies_what_its_entry_point_imports(graph, service):
    assert copied(f"{service}/Dockerfile") == needed(graph, f"{service}.main")


def test_the_worker_needs_no_training_code(graph):
    assert "modeling" not in needed(graph, "worker.main")


def test_the_jobs_image_copies_what_the_cli_imports(graph):
    assert needed(graph, "bin.cli.app") <= copied("processors/Dockerfile")


def test_the_function_package_holds_what_the_orchestrator_imports(graph):
    source = (ROOT / "bin" / "cli" / "deploy.py").read_text()
    packaged = set(re.findall(r"\{ROOT\}/(\w+)", source.split("def _orchestrator", 1)[1].split("functions = (")[0]))
    assert needed(graph, "orchestrator.main") <= packaged
