"""bin/deploy: create or update the Google Cloud deployment, idempotently, from the same
tables the code runs on (shared/topology.py for Pub/Sub, shared/tables.py for BigQuery).

Every step is a CLI command (gcloud, bq, gsutil) so --dry-run shows exactly what would
run. A create that finds the resource existing falls through to its update."""
from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import typer

from bin import night_steps
from bin.cli.deploy_alerts import alerting, write_plan_file
from bin.cli.deploy_console import console_access, console_secret
from bin.cli.deploy_jobs import account, cloud_run_jobs, feed_urls, odds_secret, scheduler_jobs
from shared import tables, topology

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("coordinator", "worker", "console")
SIZING = {   # Cloud Run service -> concurrency, min and max instances, memory
    "coordinator": ("80", "0", "3", "1Gi"),
    "worker": ("8", "0", "20", "1Gi"),
    "console": ("20", "0", "2", "1Gi"),    # pages, the read API and real-time predictions (the worker's models)
}
CONSOLE_SECRET = "console-session-secret"   # signs the console's session cookies on every instance


PATTERNS = {"project": r"[a-z][a-z0-9-]{4,28}[a-z0-9]", "region": r"[a-z]+-[a-z]+[0-9]{1,2}",
            "bucket": r"[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]", "tag": r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"}


@dataclass(frozen=True)
class Target:
    project: str
    region: str
    bucket: str
    tag: str

    def __post_init__(self) -> None:
        # every value reaches shell command lines, some inside $(...): only plain names pass
        for field, pattern in PATTERNS.items():
            value = getattr(self, field)
            if not re.fullmatch(pattern, value):
                raise ValueError(f"--{field} {value!r}: must match {pattern}")

    def sa(self, name: str) -> str:
        return f"pipeline-{name}@{self.project}.iam.gserviceaccount.com"

    def image(self, name: str) -> str:
        return f"{self.region}-docker.pkg.dev/{self.project}/pipeline/{name}:{self.tag}"

    def url(self, service: str) -> str:
        # the plan reads the real one after deploying
        return (f"$(gcloud run services describe {service} --region {self.region} --project {self.project} "
                f"--format 'value(status.url)')")

    @property
    def number(self) -> str:
        return f"$(gcloud projects describe {self.project} --format 'value(projectNumber)')"

    def audience(self, service: str) -> str:
        """Cloud Run's deterministic URL (https://SERVICE-PROJECT_NUMBER.REGION.run.app), known
        before the service exists, so its first revision starts with OIDC_AUDIENCE set."""
        return f"https://{service}-{self.number}.{self.region}.run.app"


EMAIL = r"[^@\s'\"$`]+@[^@\s'\"$`]+\.[A-Za-z]{2,}"


def q(*parts: str) -> str:
    return " ".join(p if p.startswith("$(") else shlex.quote(p) for p in parts)


def create_or_update(create: str, update: str) -> str:
    return f"{create} || {update}"



ROLES = {   # least privilege per service account: (role, resource kind, resource)
    "coordinator": [("roles/bigquery.jobUser", "project", ""), ("roles/bigquery.dataViewer", "dataset", "precompute"),
                    ("roles/bigquery.dataEditor", "dataset", "predictions"),
                    ("roles/storage.objectAdmin", "bucket", ""),
                    ("roles/pubsub.publisher", "topic", topology.PREDICTION_REQUEST),
                    ("roles/pubsub.publisher", "topic", topology.PREDICTIONS_COMPLETE)],
    "worker": [("roles/bigquery.jobUser", "project", ""), ("roles/bigquery.dataViewer", "dataset", "precompute"),
               ("roles/bigquery.dataViewer", "dataset", "analytics"),
               ("roles/bigquery.dataEditor", "dataset", "predictions"),
               ("roles/storage.objectViewer", "bucket", ""),
               ("roles/pubsub.publisher", "topic", topology.PREDICTION_READY)],
    "orchestrator": [("roles/storage.objectAdmin", "bucket", ""), ("roles/bigquery.jobUser", "project", ""),
                     ("roles/bigquery.dataViewer", "dataset", "analytics"),
                     ("roles/run.invoker", "service", "coordinator")],
    "processors": [("roles/bigquery.jobUser", "project", ""),
                   ("roles/bigquery.dataEditor", "dataset", "analytics"),     # creates missing tables
                   ("roles/bigquery.dataEditor", "dataset", "precompute"),
                   ("roles/bigquery.dataEditor", "dataset", "predictions"),   # grade, monitor
                   ("roles/storage.objectAdmin", "bucket", ""),               # retrain registers models
                   ("roles/pubsub.publisher", "topic", topology.PRECOMPUTE_COMPLETE)],
    # the fetch jobs: box scores, schedule, injury report and lines into analytics; the importers look up
    # every table first (ensure_tables); raw copies and the feeds' freshness records (compare-and-swap
    # rewrites) in the bucket; the odds key (deploy_jobs.py)
    "fetch": [("roles/bigquery.jobUser", "project", ""), ("roles/bigquery.dataEditor", "dataset", "analytics"),
              ("roles/bigquery.metadataViewer", "dataset", "precompute"),
              ("roles/bigquery.metadataViewer", "dataset", "predictions"),
              ("roles/storage.objectAdmin", "bucket", ""),
              ("roles/run.invoker", "service", "coordinator")],   # POST /refresh after a report or lines
    "console": [("roles/bigquery.jobUser", "project", ""), ("roles/bigquery.dataViewer", "dataset", "analytics"),
                ("roles/bigquery.dataViewer", "dataset", "precompute"),
                ("roles/bigquery.dataViewer", "dataset", "predictions"),
                ("roles/storage.objectAdmin", "bucket", ""),     # reads state and models; promote and audit write
                ("roles/run.invoker", "service", "coordinator")],   # start, force, the stall check
    "pusher": [("roles/run.invoker", "service", "worker"), ("roles/run.invoker", "service", "coordinator")],
    "scheduler": [("roles/run.invoker", "service", "coordinator"),
                  *[("roles/run.invoker", "job", step.name) for step in night_steps.JOBS],
                  ("roles/cloudfunctions.invoker", "function", "orchestrator-deadlines"),
                  ("roles/run.invoker", "service", "orchestrator-deadlines")],
}


def plan(t: Target, build_dir: Path, alert_email: str | None = None, console_users: tuple[str, ...] = ()) -> list[str]:
    p, r = t.project, t.region
    cmds = [f"# project {p}, region {r}, bucket gs://{t.bucket}, images tagged {t.tag}",
            q("gcloud", "services", "enable", "run.googleapis.com", "cloudfunctions.googleapis.com",
              "pubsub.googleapis.com", "bigquery.googleapis.com", "storage.googleapis.com",
              "cloudscheduler.googleapis.com", "eventarc.googleapis.com", "artifactregistry.googleapis.com",
              "cloudbuild.googleapis.com", "logging.googleapis.com", "monitoring.googleapis.com",
              "iap.googleapis.com", "secretmanager.googleapis.com", "--project", p)]
    cmds.append("# service accounts")
    for name in ROLES:
        cmds.append(create_or_update(q("gcloud", "iam", "service-accounts", "create", f"pipeline-{name}",
                                       "--project", p, "--display-name", f"pipeline {name}"),
                                     q("gcloud", "iam", "service-accounts", "describe", t.sa(name), "--project", p)))
    cmds.append("# storage: registry, orchestration and batch state (versioned)")
    cmds.append(create_or_update(q("gcloud", "storage", "buckets", "create", f"gs://{t.bucket}", "--project", p,
                                   "--location", r, "--uniform-bucket-level-access"),
                                 q("gcloud", "storage", "buckets", "describe", f"gs://{t.bucket}")))
    cmds.append(q("gcloud", "storage", "buckets", "update", f"gs://{t.bucket}", "--versioning"))
    # staged prediction rows are deleted when their batch is merged; a crash in between leaves them to this rule
    lifecycle = build_dir / "lifecycle.json"
    lifecycle.parent.mkdir(parents=True, exist_ok=True)
    write_plan_file(lifecycle, json.dumps({"rule": [{"action": {"type": "Delete"},
                                               "condition": {"age": 7, "matchesPrefix": ["staging/"]}}]}, indent=1))
    cmds.append(q("gcloud", "storage", "buckets", "update", f"gs://{t.bucket}", "--lifecycle-file", str(lifecycle)))
    cmds += _bigquery(t, build_dir)
    cmds += _pubsub_topics(t)
    cmds += _images(t, build_dir)
    cmds += console_secret(t, CONSOLE_SECRET, q, create_or_update)
    cmds += odds_secret(t.project, f"serviceAccount:{t.sa('fetch')}", q, create_or_update)
    cmds += _cloud_run(t)
    cmds += _pubsub_subscriptions(t)
    if alert_email:
        cmds += alerting(p, alert_email, build_dir, q)
    cmds += _orchestrator(t, build_dir)
    cmds += _iam(t)
    cmds += console_access(t, console_users, q)
    cmds += scheduler_jobs(t, q, create_or_update)
    return cmds


def _bigquery(t: Target, build_dir: Path) -> list[str]:
    cmds = ["# BigQuery: datasets and tables from shared/tables.py (partitioned by date, clustered)"]
    for dataset in sorted({tb.dataset for tb in tables.CATALOG.values()}):
        cmds.append(create_or_update(q("bq", "--location", "US", "mk", "--dataset", f"{t.project}:{dataset}"),
                                     q("bq", "show", "--dataset", f"{t.project}:{dataset}")))
    for tb in tables.CATALOG.values():
        schema = build_dir / "schemas" / f"{tb.dataset}.{tb.name}.json"
        schema.parent.mkdir(parents=True, exist_ok=True)
        write_plan_file(schema, json.dumps([{"name": c, "type": typ} for c, typ in tb.columns], indent=1))
        ref = f"{t.project}:{tb.fqn}"
        extra = ["--time_partitioning_field", tb.partition, "--time_partitioning_type", "DAY"] if tb.partition else []
        cluster = [k for k in tb.key if tb.type_of(k) != "DATE"][:4]
        if cluster:
            extra += ["--clustering_fields", ",".join(cluster)]
        if tb.partition_filter_required:
            extra += ["--require_partition_filter"]
        cmds.append(create_or_update(q("bq", "mk", "--table", *extra, ref, str(schema)),
                                     q("bq", "update", ref, str(schema))))
    return cmds


def _pubsub_topics(t: Target) -> list[str]:
    cmds = ["# Pub/Sub topics from shared/topology.py (dead-letter topics included)"]
    for topic in topology.ALL_TOPICS:
        cmds.append(create_or_update(q("gcloud", "pubsub", "topics", "create", topic, "--project", t.project),
                                     q("gcloud", "pubsub", "topics", "describe", topic, "--project", t.project)))
    return cmds


def _images(t: Target, build_dir: Path) -> list[str]:
    cmds = ["# container images (Dockerfile per service; context is the repository root)",
            create_or_update(q("gcloud", "artifacts", "repositories", "create", "pipeline", "--repository-format",
                               "docker", "--location", t.region, "--project", t.project),
                             q("gcloud", "artifacts", "repositories", "describe", "pipeline", "--location", t.region,
                               "--project", t.project))]
    for name in (*SERVICES, "processors"):
        config = build_dir / f"cloudbuild-{name}.yaml"
        write_plan_file(config, json.dumps({"steps": [{"name": "gcr.io/cloud-builders/docker",
                                                 "args": ["build", "-f", f"{name}/Dockerfile", "-t", t.image(name),
                                                          "."]}], "images": [t.image(name)]}, indent=1))
        cmds.append(q("gcloud", "builds", "submit", str(ROOT), "--config", str(config), "--project", t.project))
    return cmds


def _env(t: Target, service: str, **extra: str) -> str:
    """One shell word for --set-env-vars/--update-env-vars. The list of accounts holds commas,
    so the pairs are split on ';' instead (gcloud topic escaping: a leading ^;^); the word is
    double-quoted so that the audience's $(...) expands."""
    env = {"PIPELINE_BACKEND": "gcp", "GCP_PROJECT": t.project, "GCS_BUCKET": t.bucket, "PIPELINE_AUTH": "on",
           "OIDC_SERVICE_ACCOUNTS": ",".join([t.sa("pusher"), t.sa("scheduler"), t.sa("orchestrator"), t.sa("fetch")])}
    if service in SERVICES:
        env["OIDC_AUDIENCE"] = t.audience(service)
    if service == "console":
        env["COORDINATOR_URL"] = t.url("coordinator")
        env["IAP_AUDIENCE"] = f"/projects/{t.number}/locations/{t.region}/services/console"
    env.update(extra)
    pairs = ";".join(f"{k}={v}" for k, v in env.items())
    return '"^;^' + pairs.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _job_env(t: Target, step: night_steps.Step) -> str:
    """The CLI's settings for a job; the fetchers also get the sources' URLs, and those whose
    news moves predictions (injuries, lines) the coordinator's, for POST /refresh."""
    news = {"COORDINATOR_URL": t.url("coordinator")} if step.feed in ("injuries", "lines") else {}
    return _env(t, account(step), **(feed_urls() if step.feed else {}), **news)


def _cloud_run(t: Target) -> list[str]:
    cmds = ["# Cloud Run services: --update-env-vars keeps variables set elsewhere; no public access; the console "
            "behind IAP (a beta flag of run deploy)"]
    for name in SERVICES:
        concurrency, lo, hi, memory = SIZING[name]
        console = name == "console"
        cmds.append(q("gcloud", *(("beta",) if console else ()), "run", "deploy", name, "--image", t.image(name),
                      "--region", t.region, "--project", t.project, "--service-account", t.sa(name),
                      "--no-allow-unauthenticated", *(("--iap", "--set-secrets",
                                                       f"PIPELINE_CONSOLE_SECRET={CONSOLE_SECRET}:latest")
                                                      if console else ()),
                      "--concurrency", concurrency, "--min-instances", lo, "--max-instances", hi, "--memory", memory,
                      "--update-env-vars") + " " + _env(t, name))
    cmds += cloud_run_jobs(t.image("processors"), t.region, t.project, t.sa, lambda step: _job_env(t, step), q,
                           create_or_update)
    return cmds


def _subscription_flags(t: Target, sub: topology.Subscription, endpoint: str, audience: str) -> list[str]:
    return ["--push-endpoint", endpoint, "--push-auth-service-account", t.sa("pusher"),
            "--push-auth-token-audience", audience, "--ack-deadline", str(sub.ack_deadline_s),
            "--dead-letter-topic", sub.dead_letter_topic, "--max-delivery-attempts", str(sub.max_delivery_attempts),
            "--min-retry-delay", f"{int(sub.min_backoff_s)}s", "--max-retry-delay", f"{int(sub.max_backoff_s)}s",
            "--project", t.project]


def _pubsub_subscriptions(t: Target) -> list[str]:
    cmds = ["# push subscriptions from shared/topology.py: OIDC identity, retry policy, dead-letter topic"]
    for sub in topology.SUBSCRIPTIONS:
        if sub.service == "orchestrator":
            continue   # the Eventarc trigger owns that subscription; see the orchestrator section
        url = t.url(sub.service)
        flags = _subscription_flags(t, sub, f"{url}{sub.path}", url)
        create = " ".join([q("gcloud", "pubsub", "subscriptions", "create", sub.name, "--topic", sub.topic)] +
                          [f if "$(" in f else shlex.quote(f) for f in flags])
        update = " ".join([q("gcloud", "pubsub", "subscriptions", "update", sub.name)] +
                          [f if "$(" in f else shlex.quote(f) for f in flags])
        cmds.append(create_or_update(create, update))
    project_number = f"$(gcloud projects describe {t.project} --format 'value(projectNumber)')"
    cmds.append("# Pub/Sub signs push tokens as the pusher account and dead-letters with its own agent")
    cmds.append(q("gcloud", "iam", "service-accounts", "add-iam-policy-binding", t.sa("pusher"), "--project",
                  t.project, "--role", "roles/iam.serviceAccountTokenCreator", "--member") +
                f" serviceAccount:service-{project_number}@gcp-sa-pubsub.iam.gserviceaccount.com")
    for topic in topology.DEAD_LETTER_TOPICS:
        cmds.append(q("gcloud", "pubsub", "topics", "add-iam-policy-binding", topic, "--project", t.project,
                      "--role", "roles/pubsub.publisher", "--member") +
                    f" serviceAccount:service-{project_number}@gcp-sa-pubsub.iam.gserviceaccount.com")
    return cmds


def _orchestrator(t: Target, build_dir: Path) -> list[str]:
    src = build_dir / "orchestrator-source"
    sub = next(s for s in topology.SUBSCRIPTIONS if s.service == "orchestrator")
    env = _env(t, "orchestrator", COORDINATOR_URL=t.url("coordinator"))
    cmds = ["# orchestrator: gen2 Cloud Function on an Eventarc Pub/Sub trigger with retries on",
            f"rm -rf {shlex.quote(str(src))} && mkdir -p {shlex.quote(str(src))} && "
            f"cp -r {ROOT}/shared {ROOT}/orchestrator {shlex.quote(str(src))}/ && "
            f"cp {ROOT}/orchestrator/main.py {shlex.quote(str(src))}/main.py && "
            f"grep -hv '^-r' {ROOT}/shared/requirements.txt {ROOT}/orchestrator/requirements.txt "
            f"> {shlex.quote(str(src))}/requirements.txt"]
    functions = (
        ("orchestrator", "on_precompute_complete",
         ["--trigger-topic", topology.PRECOMPUTE_COMPLETE, "--retry", "--trigger-service-account", t.sa("pusher")]),
        ("orchestrator-deadlines", "check_deadlines", ["--trigger-http", "--no-allow-unauthenticated"]),
    )
    for name, entry, trigger in functions:
        cmds.append(q("gcloud", "functions", "deploy", name, "--gen2", "--runtime", "python311", "--region",
                      t.region, "--project", t.project, "--source", str(src), "--entry-point", entry,
                      "--service-account", t.sa("orchestrator"), *trigger, "--update-env-vars") + f" {env}")
    trig = (f"$(gcloud eventarc triggers list --location {t.region} --project {t.project} "
            f"--filter 'destination.cloudRun.service~orchestrator' --format 'value(transport.pubsub.subscription)' "
            f"| head -n1)")
    cmds.append("# the Eventarc subscription gets the same dead-letter policy as the table says")
    cmds.append(" ".join([q("gcloud", "pubsub", "subscriptions", "update"), trig, q(
        "--dead-letter-topic", sub.dead_letter_topic, "--max-delivery-attempts", str(sub.max_delivery_attempts),
        "--min-retry-delay", f"{int(sub.min_backoff_s)}s", "--max-retry-delay", f"{int(sub.max_backoff_s)}s",
        "--push-auth-service-account", t.sa("pusher"), "--project", t.project)]))
    return cmds


def _iam(t: Target) -> list[str]:
    cmds = ["# least-privilege roles"]
    for name, grants in ROLES.items():
        member = f"serviceAccount:{t.sa(name)}"
        for role, kind, res in grants:
            if kind == "project":
                cmds.append(q("gcloud", "projects", "add-iam-policy-binding", t.project, "--member", member,
                              "--role", role, "--condition", "None"))
            elif kind == "dataset":
                cmds.append(q("bq", "add-iam-policy-binding", "--member", member, "--role", role,
                              f"{t.project}:{res}"))
            elif kind == "bucket":
                cmds.append(q("gcloud", "storage", "buckets", "add-iam-policy-binding", f"gs://{t.bucket}",
                              "--member", member, "--role", role))
            elif kind == "topic":
                cmds.append(q("gcloud", "pubsub", "topics", "add-iam-policy-binding", res, "--project", t.project,
                              "--member", member, "--role", role))
            elif kind == "service":
                cmds.append(q("gcloud", "run", "services", "add-iam-policy-binding", res, "--region", t.region,
                              "--project", t.project, "--member", member, "--role", role))
            elif kind == "job":
                cmds.append(q("gcloud", "run", "jobs", "add-iam-policy-binding", res, "--region", t.region,
                              "--project", t.project, "--member", member, "--role", role))
            elif kind == "function":
                cmds.append(q("gcloud", "functions", "add-invoker-policy-binding", res, "--region", t.region,
                              "--project", t.project, "--member", member))
    return cmds


EMAIL_HELP = "e-mail the alert policies notify (default: no alerting is set up)"
USER_HELP = "a person IAP lets into the console (repeatable)"


def deploy_command(project: str = typer.Option(..., "--project", metavar="PROJECT", help="the Google Cloud project"),
                   region: str = typer.Option("us-central1", "--region", metavar="REGION"),
                   bucket: Optional[str] = typer.Option(None, "--bucket", metavar="BUCKET",
                                                        help="default: PROJECT-pipeline"),
                   tag: str = typer.Option("latest", "--tag", metavar="TAG", help="the images' tag"),
                   dry_run: bool = typer.Option(False, "--dry-run", help="print every command; touch nothing"),
                   alert_email: Optional[str] = typer.Option(None, "--alert-email", metavar="EMAIL", help=EMAIL_HELP),
                   console_user: list[str] = typer.Option([], "--console-user", metavar="EMAIL",
                                                          help=USER_HELP)) -> None:
    try:
        target = Target(project, region, bucket or f"{project}-pipeline", tag)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    for flag, value in [("--alert-email", alert_email), *(("--console-user", u) for u in console_user)]:
        if value and not re.fullmatch(EMAIL, value):
            raise typer.BadParameter(f"{flag} {value!r} is not an e-mail address")
    raise typer.Exit(_apply(plan(target, ROOT / "var" / "deploy", alert_email, tuple(console_user)), dry_run))


deploy_command.__doc__ = __doc__


def _apply(commands: list[str], dry_run: bool) -> int:
    """Print each command and, unless a dry run, run it; the first failure's exit code stops the rest."""
    for i, cmd in enumerate(commands):
        typer.echo(cmd)
        if dry_run or cmd.startswith("#"):
            continue
        # a shell for ||, && and $(...): the lines come from our own tables and validated Target values
        done = subprocess.run(cmd, shell=True)   # nosec B602
        if done.returncode:
            typer.echo(f"deploy: step {i} failed with exit code {done.returncode}", err=True)
            return done.returncode
    if dry_run:
        typer.echo(f"# dry run: {sum(not c.startswith('#') for c in commands)} commands, nothing executed")
    return 0


app = typer.Typer(add_completion=False, rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]})
app.command()(deploy_command)


def entry() -> None:
    """The installed `deploy` command."""
    app(prog_name="deploy")


if __name__ == "__main__":
    app(prog_name="bin/deploy")
