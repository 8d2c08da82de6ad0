"""The CLI image as Cloud Run jobs, one per step of the night's timetable (shared/timetable.py):
its arguments, task timeout, service account, settings and secrets; and the odds API key's
secret the lines job reads."""
from __future__ import annotations

from collections.abc import Callable

from shared import timetable
from shared.config import Settings

ODDS_SECRET = "odds-api-key"
SECRETS = {"lines": {"ODDS_API_KEY": ODDS_SECRET}}   # step -> environment variable -> Secret Manager secret
FEED_URLS = {"PIPELINE_STATS_URL": "stats_url", "PIPELINE_INJURY_URL": "injury_url",
             "PIPELINE_ODDS_URL": "odds_url", "PIPELINE_SCHEDULE_URL": "schedule_url"}


def account(step: timetable.Step) -> str:
    """Fetchers run as `fetch` (the raw archive, the feeds' records, the analytics tables, the odds
    key); the other jobs as `processors`."""
    return "fetch" if step.feed else "processors"


def feed_urls() -> dict[str, str]:
    """The public sources, as the settings' defaults name them (one definition)."""
    defaults = Settings()
    return {var: getattr(defaults, field) for var, field in FEED_URLS.items()}


def cloud_run_jobs(image: str, region: str, project: str, sa: Callable[[str], str],
                   env: Callable[[timetable.Step], str], q: Callable[..., str],
                   create_or_update: Callable[[str, str], str]) -> list[str]:
    cmds = []
    for step in timetable.JOBS:
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
