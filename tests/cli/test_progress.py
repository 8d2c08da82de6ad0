"""Long commands are never silent: off a terminal (a pipe, cron's log) they print a plain
progress line at the start and every tenth of the way; Ctrl-C ends one with a line saying
what a rerun does, exit code 130, and the rerun does resume."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess

import pytest

from tests.support.cli import PIPELINE, run


@pytest.fixture
def home(sample_db, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_db, home / "warehouse.duckdb")
    return home


def progress_lines(stderr: str, description: str) -> list[tuple[int, int]]:
    return [(int(done), int(total)) for done, total in re.findall(rf"^{re.escape(description)}: (\d+)/(\d+) \(\d+s\)$",
                                                                  stderr, re.M)]


def test_backfill_predict_range_and_grade_print_progress_lines_off_a_terminal(home, elsewhere):
    backfilled = run("backfill", "--start", "2024-01-14", "--end", "2024-01-15", "--chunk-dates", "1",
                     home=home, cwd=elsewhere)
    assert backfilled.returncode == 0, backfilled.stderr
    assert progress_lines(backfilled.stderr, "backfill chunks") == [(0, 2), (1, 2), (2, 2)]

    predicted = run("predict-range", "--start", "2024-01-13", "--end", "2024-01-15", home=home, cwd=elsewhere)
    assert predicted.returncode == 0, predicted.stderr
    assert progress_lines(predicted.stderr, "predict-range: game dates") == [(0, 2), (1, 2), (2, 2)]
    # the 13th had games but no features: said, with the command that computes them
    assert ("note: 1 game date(s) of the range have no feature-store rows and are not predicted (2024-01-13); "
            "`bin/pipeline backfill --start 2024-01-13 --end 2024-01-15` computes them") in predicted.stdout

    graded = run("grade", "--start", "2024-01-13", "--end", "2024-01-15", home=home, cwd=elsewhere)
    assert graded.returncode == 0, graded.stderr
    assert progress_lines(graded.stderr, "grade: dates written") == [(1, 2), (2, 2)]


def test_ctrl_c_says_a_rerun_resumes_and_the_rerun_does(home, elsewhere):
    args = ["backfill", "--start", "2023-11-01", "--end", "2023-11-30", "--chunk-dates", "5", "--workers", "2"]
    proc = subprocess.Popen([PIPELINE, *args], cwd=elsewhere, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PIPELINE_HOME": str(home)})
    seen = []
    for line in proc.stderr:   # interrupt once the first chunk is written: the work is under way
        seen.append(line)
        if line.startswith("backfill chunks: 1/"):
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stderr.read()
    proc.wait(timeout=120)
    assert proc.returncode == 130, "".join(seen) + rest
    # the last line says what a rerun does (before it, at most the chunk the signal cut short, named)
    assert rest.strip().splitlines()[-1] == "interrupted; rerun the same command to resume (finished dates are skipped)"
    assert "Traceback" not in rest and proc.stdout.read() == ""

    again = run(*args, home=home, cwd=elsewhere)
    assert again.returncode == 0, again.stderr
    done = int(re.search(r"28 game dates, (\d+) already done", again.stdout).group(1))
    assert 5 <= done < 28, again.stdout
