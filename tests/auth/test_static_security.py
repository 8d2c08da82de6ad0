"""bandit over the project's code: no high-severity finding that has not been reviewed
(a reviewed one carries `# nosec <id>` with the reason on the line above)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ["coordinator", "worker", "orchestrator", "processors", "ingest", "shared", "bin", "benchmarks"]


def test_bandit_finds_no_unreviewed_high_severity_issue():
    bandit = Path(sys.executable).parent / "bandit"
    run = subprocess.run([str(bandit), "-q", "-r", *PACKAGES, "-f", "json", "--severity-level", "high"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    assert report["metrics"]["_totals"]["loc"] > 5000          # it really scanned the code
    found = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert found == [], "\n".join(found)


def test_deploy_refuses_values_that_could_reach_the_shell():
    run = subprocess.run([str(ROOT / "bin" / "deploy"), "--project", "proj-1; rm -rf ~", "--dry-run"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--project 'proj-1; rm -rf ~'" in run.stderr and "gcloud" not in run.stdout
