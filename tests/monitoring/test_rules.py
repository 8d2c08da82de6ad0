"""The alert rules and the dashboard name only metrics the services export after a batch."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from shared.catalogue import ROWS_PER_PLAYER
from tests.conftest import ROOT
from tests.support.stack import run_chain, stack_at

NAME = re.compile(r"\bpipeline_[a-z0-9_]+")
SUFFIXES = ("_bucket", "_sum", "_count", "_total")


def exported(text: str) -> set[str]:
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


def referenced() -> set[str]:
    rules = yaml.safe_load((ROOT / "monitoring" / "alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    dashboard = json.loads((ROOT / "monitoring" / "dashboard.json").read_text())
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    return {m for e in exprs for m in NAME.findall(e)}


@pytest.fixture(scope="module")
def batch(sample_db, tmp_path_factory):
    """One night's chain, whose metrics both tests read (neither changes a service's metrics)."""
    st = stack_at(tmp_path_factory.mktemp("monitoring"), sample_db)
    yield st, run_chain(st)
    st.stop()


def test_every_metric_in_rules_and_dashboard_is_exported_after_a_batch(batch):
    from coordinator.app import create_app as coordinator_app
    from modeling.grading import grade
    from worker.app import create_app as worker_app

    st, _ = batch
    grade(st.warehouse, date(2024, 1, 16), date(2024, 1, 16))
    scraped = set()
    for resp in (coordinator_app(st.coordinator).test_client().get("/metrics"),
                 worker_app(st.worker).test_client().get("/metrics")):
        assert resp.status_code == 200
        scraped |= exported(resp.get_data(as_text=True))
    # the stack's own apps served the batch; count what they recorded too
    for deps in (st.coordinator, st.worker):
        from prometheus_client import generate_latest

        scraped |= exported(generate_latest(deps.metrics.registry).decode())
    missing = sorted(n for n in referenced() if n not in scraped)
    assert not missing, f"named in monitoring/ but not exported: {missing}"


def test_metrics_count_what_the_batch_did(batch):
    from prometheus_client import generate_latest

    st, result = batch
    worker = {s.name: s for f in text_string_to_metric_families(generate_latest(st.worker.metrics.registry).decode())
              for s in f.samples}
    predictions = sum(s.value for f in text_string_to_metric_families(
        generate_latest(st.worker.metrics.registry).decode()) for s in f.samples
        if s.name == "pipeline_predictions_total")
    assert predictions == result["completed"] * ROWS_PER_PLAYER
    assert worker["pipeline_model_fallbacks"].value == 10.0       # no registry: all ten models bundled
    coord = generate_latest(st.coordinator.metrics.registry).decode()
    assert "pipeline_batch_coverage_ratio 1.0" in coord and "pipeline_batch_players_missing 0.0" in coord
    http = [s for f in text_string_to_metric_families(coord) for s in f.samples
            if s.name == "pipeline_http_requests_total" and s.labels["endpoint"] == "/complete"]
    assert sum(s.value for s in http) == result["expected"]
