"""The README's first hour, typed literally in a fresh copy of the repository: `bin/demo`, then
every block marked `<!-- readme-flow -->` in order (serve + curl on the demo's data, then the
daily workflow). A README edit that breaks a command breaks this test."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date

import pandas as pd
import pytest

from tests.conftest import ROOT

MARK = "<!-- readme-flow -->"


def readme_blocks() -> tuple[str, list[str]]:
    text = (ROOT / "README.md").read_text()
    first = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    flows = re.findall(re.escape(MARK) + r"\s*```bash\n(.*?)```", text, re.S)
    return first, flows


def fresh_copy(target):
    """What a clone holds (tracked and new files, nothing ignored), with this machine's virtualenv."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")


@pytest.mark.e2e
def test_readme_commands_work_in_order_from_a_fresh_copy(tmp_path):
    first, flows = readme_blocks()
    assert first.splitlines()[0].startswith("bin/demo") and len(flows) >= 2
    repo = tmp_path / "repo"
    fresh_copy(repo)
    git = lambda *args: subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,  # noqa: E731
                                       capture_output=True, text=True, check=True).stdout
    git("init", "-q")
    (repo / ".git" / "info" / "exclude").write_text(".venv\n")   # this copy's symlink to the real virtualenv
    git("add", "-A")
    git("commit", "-q", "-m", "clone")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    script = "set -euo pipefail\nbin/demo\n" + "\n".join(flows)
    out = subprocess.run(["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    assert "2024-01-15: batch" in out.stdout and "next:" in out.stdout                 # the demo ran and explained
    assert "demo: 5/5 the nightly chain for 2024-01-15" in out.stderr                 # and said each step first
    assert '"expected"' in out.stdout and "services stopped" in out.stdout           # serve + curl on its data
    assert "Failed to connect" not in out.stderr                                    # waiting for serve is silent
    assert '"missing_count"' in out.stdout and '"missing":' not in out.stdout        # /status: counts, no id dump
    assert '{"game_date":"2024-01-15","predictions":[{"game_date":"2024-01-15","player_id":' in out.stdout
    assert (repo / "var" / "warehouse.duckdb").is_file() and not (repo / "var" / "demo").exists()
    assert (repo / "var" / "predictions.csv").stat().st_size > 10_000               # relative to where we stand
    assert "out: Rest" in out.stdout                                                # the injury report was used
    exported = pd.read_csv(repo / "var" / "predictions.csv")
    assert set(exported.loc[exported["line"].notna(), "line_book"]) == {"draftkings"}
    assert (repo / "var" / "report" / "report.md").is_file()
    assert git("status", "--porcelain", "--untracked-files=all") == ""             # the flows leave the tree clean
    # the demo built the season's feature store, so similarity compared players with their earlier games
    from shared import tables
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse

    wh = DuckDBWarehouse(repo / "var" / "warehouse.duckdb", read_only=True)
    rows = wh.read(tables.PREDICTIONS.fqn, date(2024, 1, 15), date(2024, 1, 16), columns=["game_date", "system",
                                                                                          "model_source"])
    wh.close()
    for day, g in rows[rows["system"] == "similarity"].groupby("game_date"):
        assert (g["model_source"] == "rule").mean() > 0.85, day
    assert "builds the rest" not in out.stdout                                      # nothing left to backfill
