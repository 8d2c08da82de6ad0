"""Long commands are never silent: off a terminal (a pipe, cron's log) they print a plain
progress line at the start and every tenth of the way."""
from __future__ import annotations

import re
import shutil

import pytest

from tests.cli.conftest import run


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
