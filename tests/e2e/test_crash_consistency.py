"""kill -9 at the points where a crash hurts most (shared/failpoints.py), then a rerun: the
rerun repairs what it finds unfinished and the warehouse holds exactly the rows of a clean
run. A killed parallel backfill leaves no worker process behind."""
from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from devsupport import ROOT
from shared import tables

pytestmark = pytest.mark.e2e
DAYS = (date(2024, 1, 15), date(2024, 1, 16))
KEY = ["game_date", "player_id", "system", "prop", "model_version"]
VALUES = ["predicted", "p10", "p50", "p90", "model_source", "shadow"]


@pytest.fixture(scope="module")
def featured(sample_db, tmp_path_factory) -> Path:
    """A home whose warehouse has features for DAYS and no predictions."""
    from processors.runner import nightly
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    home = tmp_path_factory.mktemp("featured")
    shutil.copy(sample_db, home / "warehouse.duckdb")
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    for day in DAYS:
        nightly(wh, None, day)
    wh.close()
    return home


def pipeline(home: Path, *args: str, failpoint: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": "test-token-0123456789"}
    env.pop("PIPELINE_FAILPOINT", None)
    if failpoint:
        env["PIPELINE_FAILPOINT"] = failpoint
    return subprocess.run([str(ROOT / "bin" / "pipeline"), *args], env=env, capture_output=True, text=True,
                          timeout=600)


def predictions(home: Path) -> pd.DataFrame:
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    try:
        rows = wh.read(tables.PREDICTIONS.fqn, *tables.EVERY_DATE)
    finally:
        wh.close()
    return rows[KEY + VALUES].sort_values(KEY).reset_index(drop=True)


def predict_range(home: Path, failpoint: str | None = None) -> subprocess.CompletedProcess:
    return pipeline(home, "predict-range", "--start", str(DAYS[0]), "--end", str(DAYS[-1]), failpoint=failpoint)


@pytest.fixture(scope="module")
def clean(featured, tmp_path_factory) -> pd.DataFrame:
    home = tmp_path_factory.mktemp("clean")
    shutil.copytree(featured, home, dirs_exist_ok=True)
    done = predict_range(home)
    assert done.returncode == 0, done.stderr
    # the fallback is said once per batch in the logs, once per command on the terminal
    assert "falls back" not in done.stderr and done.stdout.count("note: similarity used its simple forecast") == 1
    rows = predictions(home)
    assert set(rows["game_date"].dt.date) == set(DAYS) and not rows.duplicated(KEY).any()
    return rows


# each point is reached on the second date, so the first date's batch is finished by then
@pytest.mark.parametrize("failpoint, left", [
    ("coordinator.date_claimed:2", "creating"),     # the date is claimed, no batch document yet
    ("coordinator.batch_created:2", "running"),     # the batch exists; not one request was sent
    ("worker.staged:2", "running"),                 # a whole slate staged, nobody told the coordinator
    ("coordinator.marked:400", "running"),          # part of the second date's players reported
    ("coordinator.merged:2", "stalled"),            # rows merged; the finaliser's claim is left behind
])
def test_predict_range_killed_then_rerun_writes_exactly_the_rows_of_a_clean_run(featured, clean, tmp_path,
                                                                              failpoint, left):
    shutil.copytree(featured, tmp_path, dirs_exist_ok=True)
    killed = predict_range(tmp_path, failpoint)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    listed = pipeline(tmp_path, "batches", "--state", left)
    assert listed.returncode == 0, listed.stderr
    assert str(DAYS[1]) in listed.stdout and f"1 batch(es) {left}" in listed.stdout, listed.stdout

    rerun = predict_range(tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    if left != "creating":
        assert f"repaired 1 unfinished batch(es): {DAYS[1]}" in rerun.stdout, rerun.stdout
    pd.testing.assert_frame_equal(predictions(tmp_path), clean)
    after = pipeline(tmp_path, "batches")
    assert "2 batch(es) of 2" in after.stdout and after.stdout.count("finished") == 2, after.stdout


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _until(condition, timeout: float, what: str):
    """Wait on another process's state, which no event of ours announces; bounded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := condition()):
            return found
        time.sleep(0.05)
    raise TimeoutError(what)


def test_a_killed_parallel_backfill_leaves_no_worker_behind(sample_db, tmp_path):
    shutil.copy(sample_db, tmp_path / "warehouse.duckdb")
    env = {**os.environ, "PIPELINE_HOME": str(tmp_path), "PIPELINE_AUTH_TOKEN": "test-token-0123456789"}
    proc = subprocess.Popen([str(ROOT / "bin" / "pipeline"), "backfill", "--start", "2023-10-24", "--end",
                             "2024-04-14", "--workers", "2", "--chunk-dates", "5"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers = _until(lambda: (kids := _children(proc.pid)) and len(kids) >= 2 and kids, 120,
                         "the backfill never started its two workers")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    try:
        for pid in workers:   # a pidfd turns readable when its process exits: no polling
            try:
                fd = os.pidfd_open(pid)
            except ProcessLookupError:
                continue
            try:
                ready, _, _ = select.select([fd], [], [], 30)
            finally:
                os.close(fd)
            assert ready or not _alive(pid), f"backfill worker {pid} outlived its parent"
    finally:
        for pid in filter(_alive, workers):   # never leave them to the next test
            os.kill(pid, signal.SIGKILL)


def test_run_killed_after_its_batch_was_created_finishes_it_when_rerun(featured, clean, tmp_path):
    shutil.copytree(featured, tmp_path, dirs_exist_ok=True)
    day = str(DAYS[1])
    killed = pipeline(tmp_path, "run", "--date", day, failpoint="coordinator.batch_created:1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert "1 batch(es) running" in pipeline(tmp_path, "batches", "--state", "running").stdout
    rerun = pipeline(tmp_path, "run", "--date", day)
    assert rerun.returncode == 0, rerun.stderr
    assert "was left unfinished; republished" in rerun.stdout, rerun.stdout
    rows = predictions(tmp_path)
    pd.testing.assert_frame_equal(rows, clean[clean["game_date"].dt.date == DAYS[1]].reset_index(drop=True))
