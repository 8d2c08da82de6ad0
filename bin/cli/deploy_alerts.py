"""The plan's alerting: one log-based metric per alert of the catalogue (the `alert` field of
the ERROR lines the services write) and one alert policy per metric that e-mails a person.
Each step is guarded so a second deploy finds what the first made instead of duplicating it."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from shared.catalogue import ALERTS


def write_plan_file(path: Path, text: str) -> None:
    """Write-then-rename: a reader (another dry run, a test, gcloud) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(tmp, path)


def alerting(project: str, email: str, build_dir: Path, q) -> list[str]:
    channel = (f"$(gcloud beta monitoring channels list --project {project} "
               f"--filter 'labels.email_address={email}' --format 'value(name)')")
    cmds = ["# alerting: log-based metrics for the services' alert lines, policies that e-mail " + email,
            f'[ -n "{channel}" ] || ' + q("gcloud", "beta", "monitoring", "channels", "create", "--project", project,
                                           "--display-name", "pipeline on-call", "--type", "email",
                                           "--channel-labels", f"email_address={email}")]
    for alert in ALERTS:
        metric = f"pipeline-alert-{alert.name.replace('_', '-')}"
        flags = ["--project", project, "--description", alert.summary, "--log-filter",
                 f'severity>=ERROR AND jsonPayload.alert="{alert.name}"']
        cmds.append(q("gcloud", "logging", "metrics", "create", metric, *flags) + " || "
                    + q("gcloud", "logging", "metrics", "update", metric, *flags))
        policy = build_dir / "alerts" / f"{metric}.json"
        policy.parent.mkdir(parents=True, exist_ok=True)
        write_plan_file(policy, json.dumps({
            "displayName": f"pipeline: {alert.name}", "combiner": "OR",
            "documentation": {"content": f"{alert.summary}. Search the logs for jsonPayload.alert=\"{alert.name}\"."},
            "conditions": [{"displayName": alert.summary, "conditionThreshold": {
                "filter": f'metric.type="logging.googleapis.com/user/{metric}" AND resource.type!="global"',
                "comparison": "COMPARISON_GT", "thresholdValue": 0, "duration": "0s",
                "aggregations": [{"alignmentPeriod": "300s", "perSeriesAligner": "ALIGN_COUNT"}]}}]}, indent=1))
        existing = (f"$(gcloud alpha monitoring policies list --project {project} "
                    f"--filter 'displayName=\"pipeline: {alert.name}\"' --format 'value(name)')")
        cmds.append(f'[ -n "{existing}" ] || ' + q("gcloud", "alpha", "monitoring", "policies", "create", "--project",
                                                    project, "--policy-from-file", str(policy))
                    + f" --notification-channels {channel}")
    return cmds
