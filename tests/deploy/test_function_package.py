"""The orchestrator as Cloud Functions gets it: the package the plan builds (shared/,
orchestrator/, main.py and a requirements.txt), installed into a fresh virtualenv from its
own requirements only, started under functions-framework, answering a real CloudEvent."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from devsupport.emulators import free_port, wait_for_port
from tests.conftest import ROOT
from tests.support.events import binary_headers, completion, push_body

HEAVY = {"xgboost", "xgboost-cpu", "catboost", "matplotlib", "duckdb", "typer", "rich"}


@pytest.mark.e2e
def test_the_function_package_runs_in_a_fresh_virtualenv_with_only_its_requirements(tmp_path):
    plan = subprocess.run([str(ROOT / "bin" / "deploy"), "--project", "demo-proj", "--dry-run"],
                          capture_output=True, text=True, timeout=120).stdout
    package = next(line for line in plan.splitlines() if line.startswith("rm -rf ") and "orchestrator-source" in line)
    subprocess.run(["bash", "-c", package], check=True, timeout=60)
    source = ROOT / "var" / "deploy" / "orchestrator-source"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r",
                          str(source / "requirements.txt")], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-2000:]
    installed = subprocess.run([str(venv / "bin" / "pip"), "list", "--format", "json"], capture_output=True,
                               text=True, check=True).stdout
    assert not HEAVY & {p["name"].lower() for p in json.loads(installed)}

    port = free_port()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PIPELINE_BACKEND": "gcp", "GCP_PROJECT": "demo-proj",
           "GCS_BUCKET": "pipeline", "PIPELINE_AUTH": "off", "COORDINATOR_URL": "http://127.0.0.1:9",
           "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9", "ORCHESTRATOR_MAX_EVENT_AGE_S": "3600"}
    log = tmp_path / "function.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(venv / "bin" / "functions-framework"), "--source", str(source / "main.py"),
                                 "--target", "on_precompute_complete", "--signature-type", "cloudevent", "--host",
                                 "127.0.0.1", "--port", str(port)], cwd=source, env=env, stdout=out, stderr=out)
    try:
        wait_for_port(port, proc, 60, log, "functions-framework")
        stale = (datetime.now(UTC) - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
        body = push_body(completion("ml_feature_store", day=date(2024, 1, 16)), "e1")
        answer = requests.post(f"http://127.0.0.1:{port}/", data=json.dumps(body),
                               headers=binary_headers("e1", stale), timeout=30)
        assert answer.status_code == 200, log.read_text()[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "dropped an event older than 3600s" in log.read_text()
