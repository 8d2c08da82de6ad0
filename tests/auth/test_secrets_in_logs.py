"""Credentials never reach the logs or the files a run leaves: a sentinel token runs the
whole chain at DEBUG, with a wrong sentinel presented too, and neither appears anywhere."""
from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess

import pytest
import requests

from bin import stack as local
from processors.runner import nightly
from shared.config import Settings
from shared.logging import JsonFormatter
from tests.conftest import ROOT
from tests.support.stack import DAY

SENTINEL = "sentinel-token-7f3a9c1e5b"
WRONG = "wrong-sentinel-0d4e8b2a6c"


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG)
    yield stream
    root.handlers[:], level = saved
    root.setLevel(level)


def _files_containing(home, secret: str) -> list[str]:
    return [str(p) for p in home.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_tokens_never_reach_the_logs_of_the_in_process_chain(captured, sample_db, tmp_path):
    shutil.copy(sample_db, tmp_path / "warehouse.duckdb")
    st = local.start(Settings.from_env({"PIPELINE_HOME": str(tmp_path), "PIPELINE_AUTH_TOKEN": SENTINEL}),
                     start_dispatcher=False)
    try:
        nightly(st.warehouse, st.bus, DAY)
        st.bus.drain()
        denied = [requests.post(f"{st.urls[s]}{path}", json={"game_date": str(DAY)}, timeout=30,
                                headers={"Authorization": f"Bearer {WRONG}"}).status_code
                  for s, path in (("coordinator", "/start"), ("worker", "/predict"), ("orchestrator", "/"))]
        assert denied == [401, 401, 401]
        assert requests.get(f"{st.urls['coordinator']}/status", params={"game_date": str(DAY)}, timeout=30,
                            headers={"Authorization": f"Bearer {SENTINEL}"}).json()["state"] == "finished"
    finally:
        st.stop()
    logs = captured.getvalue()
    assert '"severity": "DEBUG"' in logs and "finalised" in logs      # the capture saw the run
    assert SENTINEL not in logs and WRONG not in logs
    assert _files_containing(tmp_path, SENTINEL) == [] and _files_containing(tmp_path, WRONG) == []
    assert repr(Settings.from_env({"PIPELINE_AUTH_TOKEN": SENTINEL})).count(SENTINEL) == 0


def test_the_cli_never_prints_the_token(sample_db, tmp_path):
    env = {**os.environ, "PIPELINE_HOME": str(tmp_path), "PIPELINE_AUTH_TOKEN": SENTINEL, "PIPELINE_LOG_LEVEL": "DEBUG"}
    pipeline = str(ROOT / "bin" / "pipeline")
    shutil.copy(sample_db, tmp_path / "warehouse.duckdb")   # the season imported (tests/cli covers `import`)
    run = subprocess.run([pipeline, "run", "--date", str(DAY)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "predictions" in run.stdout + run.stderr
    assert SENTINEL not in run.stdout + run.stderr
    assert _files_containing(tmp_path, SENTINEL) == []
