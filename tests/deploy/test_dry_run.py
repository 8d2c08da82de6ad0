"""bin/deploy --dry-run: complete enough to deploy from, and safe."""
from __future__ import annotations

import shlex
import subprocess

import pytest

from bin import night_steps
from shared import tables, topology
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def plan() -> list[str]:
    out = subprocess.run([str(ROOT / "bin" / "deploy"), "--project", "demo-proj", "--region", "europe-west1",
                          "--dry-run"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [line for line in out.stdout.splitlines() if line and not line.startswith("#")]


def test_every_push_subscription_has_a_dead_letter_topic_and_an_oidc_identity(plan):
    for sub in topology.SUBSCRIPTIONS:
        if sub.service == "orchestrator":
            lines = [c for c in plan if "subscriptions update $(gcloud eventarc" in c]
        else:
            lines = [c for c in plan if f"subscriptions create {sub.name} " in c]
        assert len(lines) == 1, sub.name
        line = lines[0]
        assert f"--dead-letter-topic {sub.dead_letter_topic}" in line
        assert f"--max-delivery-attempts {sub.max_delivery_attempts}" in line
        assert "--push-auth-service-account pipeline-pusher@demo-proj.iam.gserviceaccount.com" in line


def test_no_env_var_is_set_with_a_flag_that_wipes_the_others(plan):
    for line in plan:
        for part in line.split(" || "):
            if "--set-env-vars" in part:
                assert " create " in part, part      # only where the resource is new
    deploys = [c for c in plan if c.startswith(("gcloud run deploy", "gcloud beta run deploy"))]
    assert len(deploys) == 3 and all("--update-env-vars" in c and "--no-allow-unauthenticated" in c
                                     for c in deploys)
    console = next(c for c in deploys if " deploy console " in c)
    assert "--iap" in console and "--set-secrets PIPELINE_CONSOLE_SECRET=console-session-secret:latest" in console
    secret = next(i for i, c in enumerate(plan) if "secrets add-iam-policy-binding console-session-secret" in c)
    assert secret < plan.index(console), "the console may read its secret before its first revision starts"


def test_every_table_topic_and_scheduler_job_is_declared(plan):
    text = "\n".join(plan)
    for t in tables.CATALOG.values():
        assert f"demo-proj:{t.fqn} " in text, t.fqn
        assert f"--time_partitioning_field {t.partition}" in next(c for c in plan if f"demo-proj:{t.fqn} " in c)
    predictions = next(c for c in plan if f"demo-proj:{tables.PREDICTIONS.fqn} " in c)
    assert "--require_partition_filter" in predictions
    for topic in topology.ALL_TOPICS:
        assert f"gcloud pubsub topics create {topic} " in text
    for job in ("schedule-fetch", "box-scores-fetch", "injuries-fetch", "lines-fetch", "grade-nightly",
                "processors-nightly", "monitor-nightly", "retrain-weekly", "orchestrator-deadline-check",
                "coordinator-stall-check"):
        assert f"scheduler jobs create http {job} " in text
    assert "functions deploy orchestrator --gen2" in text and "--retry" in text
    assert "buckets update gs://demo-proj-pipeline --versioning" in text


def test_roles_are_granted_per_service_account_not_project_wide_editor(plan):
    grants = [c for c in plan if "add-iam-policy-binding" in c or "add-invoker-policy-binding" in c]
    assert grants and not any("roles/editor" in g or "roles/owner" in g for g in grants)
    assert any("pipeline-worker@" in g and "roles/storage.objectViewer" in g for g in grants)


def test_every_alert_the_code_raises_has_a_metric_and_a_policy(tmp_path):
    import re

    from shared.catalogue import ALERTS

    raised = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in ("tests", ".venv", ".venv-bq", "benchmarks", "devsupport"):
            continue
        raised |= set(re.findall(r'"alert": "([a-z0-9_]+)"', path.read_text()))
    assert raised == {a.name for a in ALERTS}
    out = subprocess.run([str(ROOT / "bin" / "deploy"), "--project", "demo-proj", "--dry-run", "--alert-email",
                          "oncall@example.com"], capture_output=True, text=True, timeout=120)
    for alert in ALERTS:
        metric = f"pipeline-alert-{alert.name.replace('_', '-')}"
        assert f"gcloud logging metrics create {metric} " in out.stdout
        assert f"--policy-from-file {ROOT}/var/deploy/alerts/{metric}.json --notification-channels" in out.stdout
    refused = subprocess.run([str(ROOT / "bin" / "deploy"), "--project", "demo-proj", "--dry-run", "--alert-email",
                              "x'; rm -rf /"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "is not an e-mail address" in refused.stderr


def test_leftover_staging_objects_age_out(plan):
    import json

    line = next(c for c in plan if "--lifecycle-file" in c)
    rules = json.loads((ROOT / "var" / "deploy" / "lifecycle.json").read_text())["rule"]
    assert "buckets update gs://demo-proj-pipeline" in line
    assert rules == [{"action": {"type": "Delete"}, "condition": {"age": 7, "matchesPrefix": ["staging/"]}}]


def test_every_step_of_the_timetable_is_a_scheduler_job_with_its_cron(plan):
    """One definition: the plan's jobs, crons and arguments are the timetable's, and every fetcher
    is a Cloud Run job of the CLI image started by Cloud Scheduler."""

    scheduled = {c.split(" scheduler jobs create http ")[1].split()[0]: c for c in plan
                 if c.startswith("gcloud scheduler jobs create http ")}
    assert set(scheduled) == {s.scheduler_job for s in night_steps.STEPS}
    for step in night_steps.STEPS:
        line = scheduled[step.scheduler_job].split(" || ")[0]
        assert f"--schedule {shlex.quote(step.cron)} --time-zone America/New_York" in line, step.name
        if step.target == "job":
            assert line.endswith(f"/jobs/{step.name}:run"), line
    fetchers = {s.name: s for s in night_steps.JOBS if s.feed}
    assert {s.feed for s in fetchers.values()} == {"box_scores", "schedule", "injuries", "lines"}
    for name, step in fetchers.items():
        create = next(c for c in plan if c.startswith(f"gcloud run jobs create {name} ")).split(" || ")[0]
        assert "--image europe-west1-docker.pkg.dev/demo-proj/pipeline/processors:latest " in create   # the CLI image
        assert f"--args {','.join(step.command)} " in create
        assert "--service-account pipeline-fetch@demo-proj.iam.gserviceaccount.com" in create
        assert "PIPELINE_STATS_URL=https://stats.nba.com/stats;" in create and "PIPELINE_ODDS_URL=" in create
        assert ("--set-secrets ODDS_API_KEY=odds-api-key:latest" in create) == (name == "lines"), name
    processors = next(c for c in plan if c.startswith("gcloud run jobs create processors "))
    assert "--args process,--date,today,--when-ready " in processors and "ODDS_API_KEY" not in processors


def test_the_odds_key_secret_is_created_once_readable_by_the_fetchers_and_the_plan_says_how_to_fill_it():
    out = subprocess.run([str(ROOT / "bin" / "deploy"), "--project", "demo-proj", "--dry-run"], capture_output=True,
                         text=True, timeout=120).stdout.splitlines()
    created = next(i for i, c in enumerate(out) if c.startswith("gcloud secrets create odds-api-key "))
    readable = next(i for i, c in enumerate(out) if c.startswith("gcloud secrets add-iam-policy-binding odds-api-key "))
    lines_job = next(i for i, c in enumerate(out) if c.startswith("gcloud run jobs create lines "))
    assert "--data-file" not in out[created], "the key is the operator's to put in, never generated"
    assert "serviceAccount:pipeline-fetch@" in out[readable] and "secretmanager.secretAccessor" in out[readable]
    assert created < readable < lines_job, "Cloud Run checks the job's account can read the secret when it creates it"
    assert any(c.startswith("#") and "gcloud secrets versions add odds-api-key --data-file -" in c for c in out)
