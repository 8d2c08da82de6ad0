"""Every line of `bin/deploy --dry-run` goes through the installed Google Cloud CLI's own
parser. gcloud parses its arguments before it asks for credentials, and bq.py parses its
flags before it fetches a token: with an empty configuration, an error other than "no
credentials" is a plan the real tools would refuse."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
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


def sdk_root() -> Path:
    return Path(os.path.realpath(GCLOUD)).parent.parent


def bq_py() -> list[str]:
    return ["python3", str(sdk_root() / "platform" / "bq" / "bq.py")]


def _env(config: Path) -> dict[str, str]:
    return {**os.environ, "CLOUDSDK_CONFIG": str(config), "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"}


def parse(argv: list[str], config: Path) -> tuple[list[str], str]:
    run = bq_py() + argv[1:] if argv[0] == "bq" else argv
    out = subprocess.run(run, capture_output=True, text=True, env=_env(config), timeout=120, stdin=subprocess.DEVNULL)
    return argv, " ".join((out.stdout + out.stderr).split())   # bq wraps its messages at 80 columns


def _program(tool: str) -> tuple[str, str, str]:
    """The interpreter, the program's own file and the modules worth importing once."""
    root = sdk_root()
    if tool == "gcloud":
        bundled = root / "platform" / "bundledpythonunix" / "bin" / "python3"
        return (str(bundled) if bundled.exists() else "python3"), str(root / "lib" / "gcloud.py"), \
            "googlecloudsdk.gcloud_main"
    script = root / "platform" / "bq" / "bq.py"
    imports = re.findall(r"^from (frontend) import (\w+)|^import (bq_\w+|credential_loader)$", script.read_text(), re.M)
    modules = ["absl.flags", "pyglib.appcommands", *(f"{a}.{b}" if a else c for a, b, c in imports)]
    return "python3", str(script), ",".join(modules)


def parse_all(argvs: list[list[str]], config: Path) -> list[tuple[list[str], str]]:
    """The same runs as `parse`, each its own process forked from one that imported the tool
    once (tests/deploy/cli_zygote.py): the real program and parser, without ~2 s of imports a
    command."""
    results: dict[int, str] = {}
    for tool in ("gcloud", "bq"):
        mine = [i for i, argv in enumerate(argvs) if argv[0] == tool]
        python, script, preload = _program(tool)
        out = subprocess.run([python, "-S", str(Path(__file__).with_name("cli_zygote.py")), script, preload,
                              str(max(2, os.cpu_count() or 2))],
                             input="".join(json.dumps(argvs[i][1:]) + "\n" for i in mine), capture_output=True,
                             text=True, env=_env(config), timeout=900)
        assert out.returncode == 0, out.stderr[-2000:]
        for i, line in zip(mine, out.stdout.splitlines(), strict=True):
            results[i] = " ".join(json.loads(line)["output"].split())
    return [(argv, results[i]) for i, argv in enumerate(argvs)]


@pytest.mark.timeout(900)
def test_every_command_of_the_plan_passes_the_real_parser(tmp_path):
    argvs = commands()
    assert len(argvs) > 100
    assert {a[0] for a in argvs} <= {"gcloud", "bq"}, "a tool the check does not run"
    results = parse_all(argvs, tmp_path / "gcloud-config")
    refused = [f"{shlex.join(argv)}\n    -> {text[:400]}" for argv, text in results
               if not any(marker in text for marker in NO_CREDENTIALS)]
    assert not refused, f"{len(refused)} of {len(argvs)} commands refused:\n" + "\n".join(refused)


def test_the_forked_runs_answer_as_the_real_processes_do(tmp_path):
    """A good and a bad command of each tool, run both ways, say the same thing."""
    argvs = [["gcloud", "run", "jobs", "create", "j", "--image", "x", "--region", "us-central1", "--project", "p"],
             ["gcloud", "run", "jobs", "create", "j", "--imagex", "x", "--region", "us-central1"],
             ["bq", "mk", "--table", "--time_partitioning_field", "game_date", "p:d.t"],
             ["bq", "mk", "--table", "--time_partitioning_fieldd", "game_date", "p:d.t"]]
    forked = parse_all(argvs, tmp_path / "c")
    alone = [parse(argv, tmp_path / "c") for argv in argvs]
    for (argv, text), (_, expected) in zip(forked, alone, strict=True):
        assert text == expected, shlex.join(argv)
    assert [any(m in text for m in NO_CREDENTIALS) for _, text in forked] == [True, False, True, False]


def test_the_check_catches_what_the_old_plan_got_wrong(tmp_path):
    accounts = "OIDC_SERVICE_ACCOUNTS=a@p.iam.gserviceaccount.com,b@p.iam.gserviceaccount.com"
    _, text = parse(["gcloud", "run", "deploy", "coordinator", "--image", "x", "--region", "us-central1",
                     "--update-env-vars", f"PIPELINE_AUTH=on,{accounts}"], tmp_path / "c")
    assert "Bad syntax for dict arg" in text and not any(m in text for m in NO_CREDENTIALS)
    _, text = parse(["bq", "mk", "--table", "--time_partitioning_fieldd", "game_date", "p:d.t"], tmp_path / "c")
    assert "Unknown command line flag" in text
