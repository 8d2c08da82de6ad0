"""The CLI as a user runs it: a real subprocess, exit codes, one-line summaries."""
from __future__ import annotations

import gzip
import os
import subprocess

from tests.conftest import ROOT, SAMPLE


def pipeline(*args, home):
    env = {**os.environ, "PIPELINE_HOME": str(home)}
    return subprocess.run([str(ROOT / "bin" / "pipeline"), *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_import_then_counts(tmp_path):
    out = pipeline("import", str(SAMPLE), home=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "26401 player-games" in out.stdout
    counts = pipeline("counts", home=tmp_path)
    assert "26,401" in counts.stdout and counts.returncode == 0


def test_bad_file_exits_non_zero_naming_line_column_value(tmp_path):
    with gzip.open(SAMPLE, "rt") as fh:
        lines = fh.read().splitlines()[:50]
    cols = lines[20].split(",")
    cols[11] = "twelve"
    lines[20] = ",".join(cols)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    out = pipeline("import", str(bad), home=tmp_path / "home")
    assert out.returncode == 2
    assert "bad.csv:21: column PTS = 'twelve'" in " ".join(out.stderr.split())
    counts = pipeline("counts", home=tmp_path / "home")
    assert "0 rows" in counts.stdout


def test_missing_file_is_a_clear_error(tmp_path):
    out = pipeline("import", str(tmp_path / "nope.csv"), home=tmp_path)
    assert out.returncode == 2 and "no such file" in out.stderr
