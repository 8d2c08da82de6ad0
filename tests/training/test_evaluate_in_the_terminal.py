"""`evaluate` in the terminal prints what report.md holds: the systems, the naive baselines
on the same rows, and the breakdowns by minutes played, expected minutes and month."""
from __future__ import annotations

import re

from shared.catalogue import SYSTEM_NAMES
from tests.support.cli import invoke as run
from tests.support.prepared import copy_of
from tests.support.stack import DAY


def test_evaluate_prints_the_baselines_and_every_breakdown(night_home, tmp_path, elsewhere):
    home = copy_of(night_home, tmp_path / "home")          # the sample night, predicted
    out = run("evaluate", "--start", DAY, "--end", DAY, home=home, cwd=elsewhere)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "naive baselines on the same graded rows" in text
    baselines = [line for line in text.splitlines() if "│ points " in line and "│ ewma " in line]
    best_system = rf"│ ({'|'.join(SYSTEM_NAMES)}) \d\.\d{{3}} \([+-]\d\.\d{{3}}\) +│"    # beside each baseline
    assert len(baselines) == 1 and re.search(best_system, baselines[0])
    words = " ".join(text.split())             # a title wider than its table wraps
    for title in ("MAE by minutes played", "MAE (p10-p90 coverage) by expected minutes (last-10 average)",
                  "MAE by month"):
        assert f"{title}, {DAY}..{DAY}" in words, title
    assert "┃ 2024-01 " in text and "┃ 0-10 " in text and "┃ 32-60 " in text          # the columns
