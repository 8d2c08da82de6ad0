"""The CLI image as Cloud Run jobs: one job per scheduled command, with its task timeout."""
from __future__ import annotations

from collections.abc import Callable

JOBS = {   # Cloud Run job -> bin/pipeline arguments
    "schedule": ["fetch-schedule"],
    "processors": ["process", "--date", "today"],
    "grade": ["grade", "--date", "yesterday"],
    "monitor": ["monitor", "--date", "today"],
    "retrain": ["retrain", "--end", "yesterday", "--register-as", "challenger"],
}
JOB_TIMEOUT = {"retrain": "2h"}   # ten models and five blends; Cloud Run's default task timeout is 10 minutes


def cloud_run_jobs(image: str, region: str, project: str, account: str, env: str, q: Callable[..., str],
                   create_or_update: Callable[[str, str], str]) -> list[str]:
    cmds = []
    for job, args in JOBS.items():
        common = ["--image", image, "--region", region, "--project", project, "--service-account", account,
                  "--args", ",".join(args), "--task-timeout", JOB_TIMEOUT.get(job, "30m")]
        cmds.append(create_or_update(q("gcloud", "run", "jobs", "create", job, *common, "--set-env-vars") + " " + env,
                                     q("gcloud", "run", "jobs", "update", job, *common, "--update-env-vars") + " "
                                     + env))
    return cmds
