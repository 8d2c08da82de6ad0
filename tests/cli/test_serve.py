"""`serve` as a user runs it in the background: one line per batch, read-only commands answered
while it holds the warehouse, a clean stop on SIGINT (even when started with SIGINT ignored,
as a shell script's background job is) and on SIGTERM."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess

import pandas as pd
import pytest
import requests

from devsupport.emulators import free_port_run
from shared import tables
from shared.catalogue import ROWS_PER_PLAYER
from tests.conftest import SAMPLE
from tests.support.cli import PIPELINE, run

DAY = "2024-01-15"


@pytest.fixture(scope="module")
def served_home(sample_db, tmp_path_factory):
    home = tmp_path_factory.mktemp("serve") / "home"
    home.mkdir()
    shutil.copy(sample_db, home / "warehouse.duckdb")
    done = run("backfill", "--start", DAY, "--end", DAY, home=home)
    assert done.returncode == 0, done.stderr
    return home


def start_serve(home, port, cwd, *options):
    ignore_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)  # noqa: E731 (what `cmd &` does)
    proc = subprocess.Popen([PIPELINE, "serve", "--port", str(port), *options], cwd=cwd, text=True,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env={**os.environ, "PIPELINE_HOME": str(home)},
                            preexec_fn=ignore_sigint)
    return proc, read_until(proc, "serving")


def read_until(proc, marker: str) -> list[str]:
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if marker in line:
            return lines
    raise AssertionError(f"serve ended before {marker!r}: {''.join(lines)}")


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_reports_batches_lets_readers_in_and_stops_cleanly(served_home, elsewhere, stop_signal):
    port = free_port_run(5)
    proc, banner = start_serve(served_home, port, elsewhere)
    try:
        console = f"http://127.0.0.1:{port + 4}/"
        assert any(line.split() == ["console", console] for line in banner), banner
        assert requests.get(console, allow_redirects=False, timeout=30).headers["Location"].startswith("/login")
        assert json.loads((served_home / "serve.json").read_text())["pid"] == proc.pid
        token = (served_home / "auth_token").read_text().strip()
        started = requests.post(f"http://127.0.0.1:{port}/start", json={"game_date": DAY, "force": True},
                                headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert started.status_code == 202, started.text
        batch = started.json()["batch_id"]
        lines = read_until(proc, "finalised")
        assert any(f"batch {batch} started for {DAY} with" in line for line in lines)
        finished = lines[-1]
        assert f"batch {batch} for {DAY} finalised:" in finished and " rows, 0 missing in " in finished

        counts = run("counts", home=served_home, cwd=elsewhere)          # the DuckDB file is held by serve
        assert counts.returncode == 0 and f"{len(tables.CATALOG)} tables" in counts.stdout, counts.stderr
        exported = run("export-predictions", "--start", DAY, "--end", DAY, "--out", "p.csv", home=served_home,
                       cwd=elsewhere)
        assert exported.returncode == 0, exported.stderr
        frame = pd.read_csv(elsewhere / "p.csv")
        assert (frame["batch_id"] == batch).sum() == int(started.json()["expected"]) * ROWS_PER_PLAYER
        evaluated = run("evaluate", "--start", DAY, "--end", DAY, home=served_home, cwd=elsewhere)
        assert evaluated.returncode == 0 and "ensemble" in evaluated.stdout, evaluated.stderr
        reader = json.loads((served_home / "serve.json").read_text())["reader"]
        auth = {"Authorization": f"Bearer {token}"}
        assert requests.post(f"{reader}/count", json={"table": "predictions.player_prop_predictions"},
                             timeout=30).status_code == 401
        table = {"table": "predictions.player_prop_predictions"}
        before = requests.post(f"{reader}/count", json=table, headers=auth, timeout=30).json()["rows"]
        delete = requests.post(f"{reader}/query", json={"sql": "DELETE FROM predictions.player_prop_predictions"},
                               headers=auth, timeout=30)
        assert delete.status_code == 404 and before >= len(frame) > 0   # SQL text is no question it answers
        assert requests.post(f"{reader}/count", json=table, headers=auth, timeout=30).json()["rows"] == before
        writer = run("import", SAMPLE, home=served_home, cwd=elsewhere)
        assert writer.returncode == 1 and "held by another process" in writer.stderr
    finally:
        proc.send_signal(stop_signal)
        rest = proc.stdout.read()
        proc.wait(timeout=60)
    assert proc.returncode == 0 and "services stopped" in rest
    assert not (served_home / "serve.json").exists()


def start_batch(home, port, proc) -> str:
    token = (home / "auth_token").read_text().strip()
    started = requests.post(f"http://127.0.0.1:{port}/start", json={"game_date": DAY, "force": True},
                            headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert started.status_code == 202, started.text
    batch = started.json()["batch_id"]
    read_until(proc, f"batch {batch} started")   # its requests are published; the worker is on them
    return batch


def stop(proc, stop_signal=signal.SIGTERM) -> str:
    proc.send_signal(stop_signal)
    rest = proc.stdout.read()
    proc.wait(timeout=120)
    assert proc.returncode == 0 and rest.rstrip().endswith("services stopped"), rest
    return rest


def test_a_stop_mid_batch_lets_it_finish(served_home, elsewhere):
    port = free_port_run(5)
    proc, _ = start_serve(served_home, port, elsewhere)
    batch = start_batch(served_home, port, proc)
    rest = stop(proc)
    assert f"stopping: letting batch {batch} for {DAY} (" in rest, rest
    assert rest.index(f"batch {batch} for {DAY} finalised:") < rest.index("services stopped")
    assert "left running" not in rest


def test_a_stop_with_no_time_to_finish_names_the_batch_left_and_the_next_serve_resumes_it(served_home, elsewhere):
    port = free_port_run(5)
    proc, _ = start_serve(served_home, port, elsewhere, "--finish-seconds", "0")
    batch = start_batch(served_home, port, proc)
    rest = stop(proc)
    assert (f"stopping: batch {batch} for {DAY} left running (" in rest
            and "players reported): the next `bin/pipeline serve` resumes it, or `bin/pipeline predict-range "
                f"--start {DAY} --end {DAY}` finishes it now" in rest), rest
    assert "finalised" not in rest
    proc, _ = start_serve(served_home, port, elsewhere)
    finished = read_until(proc, "finalised")[-1]
    assert f"batch {batch} for {DAY} finalised:" in finished and " rows, 0 missing in " in finished
    assert "stopping:" not in stop(proc, signal.SIGINT)
