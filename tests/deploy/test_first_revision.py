"""Each Cloud Run service starts on its first revision with exactly the environment the plan
gives it: nothing the plan sets later is needed to build the app."""
from __future__ import annotations

import importlib
import re
import shlex
import subprocess

import pytest
from google.auth.credentials import AnonymousCredentials

from shared.config import Settings
from tests.conftest import ROOT
from tests.deploy.test_real_cli_parses_plan import _resolved


def deploy_env(command: str) -> dict[str, str]:
    """The variables a deploy line gives its revision: --update-env-vars, and each of
    --set-secrets as Cloud Run mounts it (a stand-in value here)."""
    out = subprocess.run([str(ROOT / "bin" / "deploy"), "--project", "demo-proj", "--dry-run"], capture_output=True,
                         text=True, timeout=120)
    line = next(c for c in out.stdout.splitlines() if c.startswith(f"{command} "))
    argv = shlex.split(_resolved(line))
    value = argv[argv.index("--update-env-vars") + 1]
    delimiter, pairs = (value[1], value[3:]) if value.startswith("^") else (",", value)
    env = dict(pair.split("=", 1) for pair in pairs.split(delimiter))
    if "--set-secrets" in argv:
        env.update({pair.split("=", 1)[0]: "s" * 32 for pair in argv[argv.index("--set-secrets") + 1].split(",")})
    return env


FIRST_CALL = {"coordinator": ("post", "/start"), "worker": ("post", "/predict"),
              "console": ("get", "/v1/predictions?game_date=2024-01-16")}


@pytest.mark.parametrize("service, command", [("coordinator", "gcloud run deploy coordinator"),
                                              ("worker", "gcloud run deploy worker"),
                                              ("console", "gcloud beta run deploy console")])
def test_the_first_revision_builds_its_app_from_the_plans_environment(service, command, monkeypatch):
    env = deploy_env(command)
    assert re.fullmatch(rf"https://{service}-123456789012\.us-central1\.run\.app", env["OIDC_AUDIENCE"])
    # the pusher, the scheduler, the orchestrator and the fetch jobs (which call /refresh)
    assert env["OIDC_SERVICE_ACCOUNTS"].count("@") == 4
    # what Cloud Run adds itself: credentials come from the metadata server there, anonymous here
    monkeypatch.setattr("google.auth.default", lambda *a, **k: (AnonymousCredentials(), "demo-proj"))
    app = importlib.import_module(f"{service}.main").build_app(Settings.from_env(env))
    assert app.test_client().get("/health").status_code in (200, 503)
    method, path = FIRST_CALL[service]
    assert getattr(app.test_client(), method)(path).status_code == 401


def test_the_orchestrator_function_gets_its_coordinator_and_accounts_apart(monkeypatch):
    import orchestrator.main

    env = deploy_env("gcloud functions deploy orchestrator")
    assert env["COORDINATOR_URL"] == "https://svc-abcdefghij-uc.a.run.app"
    assert "pipeline-orchestrator@demo-proj.iam.gserviceaccount.com" in env["OIDC_SERVICE_ACCOUNTS"].split(",")
    monkeypatch.setattr("google.auth.default", lambda *a, **k: (AnonymousCredentials(), "demo-proj"))
    deps = orchestrator.main.build_deps(Settings.from_env(env))
    assert deps.orchestrator is not None
