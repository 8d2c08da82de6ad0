"""The night's timetable (bin/night_steps.py) on Google Cloud: the CLI image as a Cloud Run job
per step (its arguments, task timeout, service account, settings and secrets), the odds API
key's secret the lines job reads, and a Cloud Scheduler job per step."""
from __future__ import annotations

from collections.abc import Callable

from bin import night_steps
from shared import timetable
from shared.config import Settings

ODDS_SECRET = "odds-api-key"
SECRETS = {"lines": {"ODDS_API_KEY": ODDS_SECRET}}   # step -> environment variable -> Secret Manager secret
FEED_URLS = {"PIPELINE_STATS_URL": "stats_url", "PIPELINE_INJURY_URL": "injury_url",
             "PIPELINE_ODDS_URL": "odds_url", "PIPELINE_SCHEDULE_URL": "schedule_url"}


def account(step: night_steps.Step) -> str:
    """Fetchers run as `fetch` (the raw archive, the feeds' records, the analytics tables, the odds
    key); the other jobs as `processors`."""
    return "fetch" if step.feed else "processors"


def feed_urls() -> dict[str, str]:
    """The public sources, as the settings' defaults name them (one definition)."""
    defaults = Settings()
    return {var: getattr(defaults, field) for var, field in FEED_URLS.items()}


def cloud_run_jobs(image: str, region: str, project: str, sa: Callable[[str], str],
                   env: Callable[[night_steps.Step], str], q: Callable[..., str],
                   create_or_update: Callable[[str, str], str]) -> list[str]:
    cmds = []
    for step in night_steps.JOBS:
        common = ["--image", image, "--region", region, "--project", project, "--service-account",
                  sa(account(step)), "--args", ",".join(step.command), "--task-timeout", step.timeout]
        secrets = SECRETS.get(step.name)
        if secrets:
            common += ["--set-secrets", ",".join(f"{var}={name}:latest" for var, name in secrets.items())]
        cmds.append(create_or_update(
            q("gcloud", "run", "jobs", "create", step.name, *common, "--set-env-vars") + " " + env(step),
            q("gcloud", "run", "jobs", "update", step.name, *common, "--update-env-vars") + " " + env(step)))
    return cmds


def odds_secret(project: str, member: str, q: Callable[..., str],
                create_or_update: Callable[[str, str], str]) -> list[str]:
    """Created once, empty; the operator puts the key in. The fetchers' account may read it
    before the lines job is created (Cloud Run checks that when it creates the job)."""
    return ["# the odds API key in Secret Manager (created once, empty), readable by the fetchers",
            create_or_update(q("gcloud", "secrets", "create", ODDS_SECRET, "--replication-policy", "automatic",
                               "--project", project),
                             q("gcloud", "secrets", "describe", ODDS_SECRET, "--project", project)),
            q("gcloud", "secrets", "add-iam-policy-binding", ODDS_SECRET, "--project", project, "--member", member,
              "--role", "roles/secretmanager.secretAccessor"),
            f"# then, once, put the key in (the lines job reads the latest version when it starts): printf %s "
            f"\"$ODDS_API_KEY\" | gcloud secrets versions add {ODDS_SECRET} --data-file - --project {project}"]


def scheduler_jobs(t, q: Callable[..., str], create_or_update: Callable[[str, str], str]) -> list[str]:
    """A Cloud Scheduler job per step of the night's timetable (bin/night_steps.py), its cron in ET."""
    fn_url = (f"$(gcloud functions describe orchestrator-deadlines --gen2 --region {t.region} --project {t.project} "
              f"--format 'value(serviceConfig.uri)')")
    run_job = f"https://run.googleapis.com/v2/projects/{t.project}/locations/{t.region}/jobs/{{}}:run"
    targets = {   # step target -> uri, OIDC audience (None: an OAuth token for the Cloud Run admin API), method
        "deadline-check": (fn_url, fn_url, "GET"),
        "stall-check": (f"{t.url('coordinator')}/check-stalled", t.url("coordinator"), "POST"),
    }
    cmds = [f"# Cloud Scheduler ({timetable.TIME_ZONE}): the night's timetable, shared/timetable.py: the feeds, "
            "grading, the processors when their inputs are in, monitoring, weekly retraining, the orchestrator's "
            "deadline check and the coordinator's stall check"]
    for step in night_steps.STEPS:
        uri, audience, method = targets.get(step.target, (run_job.format(step.name), None, "POST"))
        auth = ["--oauth-service-account-email", t.sa("scheduler")] if audience is None else \
            ["--oidc-service-account-email", t.sa("scheduler")]
        base = [q("--schedule", step.cron, "--time-zone", timetable.TIME_ZONE, "--http-method", method,
                  "--location", t.region, "--project", t.project, *auth), "--uri", uri]
        if audience is not None:
            base += ["--oidc-token-audience", audience]
        cmds.append(create_or_update(
            " ".join([q("gcloud", "scheduler", "jobs", "create", "http", step.scheduler_job)] + base),
            " ".join([q("gcloud", "scheduler", "jobs", "update", "http", step.scheduler_job)] + base)))
    return cmds
