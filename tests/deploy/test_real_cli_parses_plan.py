"""Every line of `bin/deploy --dry-run` goes through the installed Google Cloud CLI's own
parser. gcloud parses its arguments before it asks for credentials, and bq.py parses its
flags before it fetches a token: with an empty configuration, an error other than "no
credentials" is a plan the real tools would refuse."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT

GCLOUD = shutil.which("gcloud")
pytestmark = [pytest.mark.skipif(GCLOUD is None, reason="the Google Cloud CLI is not installed"), pytest.mark.slow]
SUBSTITUTION = re.compile(r"\$\((?:[^()']|'[^']*')*\)")
PLACEHOLDERS = {"monitoring channels list": "projects/demo-proj/notificationChannels/1234567890",
                "monitoring policies list": "", "projectNumber": "123456789012", "status.url": "https://svc-abcdefghij-uc.a.run.app",
                "serviceConfig.uri": "https://orchestrator-deadlines-abcdefghij-uc.a.run.app",
                "transport.pubsub.subscription": "projects/demo-proj/subscriptions/eventarc-us-central1-abc"}
NO_CREDENTIALS = ("You do not currently have an active account selected",
                  "Error retrieving auth credentials from gcloud")


def _resolved(command: str) -> str:
    """What the shell would run once the $(gcloud ... describe) lookups answered."""
    def answer(found: re.Match) -> str:
        return next(v for k, v in PLACEHOLDERS.items() if k in found.group(0))
    return SUBSTITUTION.sub(answer, command)


def commands() -> list[list[str]]:
    out = subprocess.run([str(ROOT / "bin" / "deploy"), "--project", "demo-proj", "--dry-run", "--alert-email",
                          "oncall@example.com", "--console-user", "ops@example.com"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    argvs = []
    for line in out.stdout.splitlines():
        if not line or line.startswith("#"):
            continue
        for alternative in _resolved(line).split(" || "):
            argv = shlex.split(alternative.split(" | ")[-1])   # a pipeline's last command reads its stdin
            if argv[0] in ("gcloud", "bq", "gsutil"):
                argvs.append(argv)
    return argvs


def bq_py() -> list[str]:
    root = Path(os.path.realpath(GCLOUD)).parent.parent
    return ["python3", str(root / "platform" / "bq" / "bq.py")]


def parse(argv: list[str], config: Path) -> tuple[list[str], str]:
    env = {**os.environ, "CLOUDSDK_CONFIG": str(config), "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"}
    run = bq_py() + argv[1:] if argv[0] == "bq" else argv
    out = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    return argv, " ".join((out.stdout + out.stderr).split())   # bq wraps its messages at 80 columns


@pytest.mark.timeout(900)   # ~190 gcloud processes: 2-3 minutes on a quiet 2-core machine, longer when shared
def test_every_command_of_the_plan_passes_the_real_parser(tmp_path):
    argvs = commands()
    assert len(argvs) > 100
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda a: parse(a, tmp_path / "gcloud-config"), argvs))
    refused = [f"{shlex.join(argv)}\n    -> {text[:400]}" for argv, text in results
               if not any(marker in text for marker in NO_CREDENTIALS)]
    assert not refused, f"{len(refused)} of {len(argvs)} commands refused:\n" + "\n".join(refused)


def test_the_check_catches_what_the_old_plan_got_wrong(tmp_path):
    accounts = "OIDC_SERVICE_ACCOUNTS=a@p.iam.gserviceaccount.com,b@p.iam.gserviceaccount.com"
    _, text = parse(["gcloud", "run", "deploy", "coordinator", "--image", "x", "--region", "us-central1",
                     "--update-env-vars", f"PIPELINE_AUTH=on,{accounts}"], tmp_path / "c")
    assert "Bad syntax for dict arg" in text and not any(m in text for m in NO_CREDENTIALS)
    _, text = parse(["bq", "mk", "--table", "--time_partitioning_fieldd", "game_date", "p:d.t"], tmp_path / "c")
    assert "Unknown command line flag" in text
