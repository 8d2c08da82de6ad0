"""The plan's console steps: its session secret in Secret Manager (created once, readable by
the console's account before its first revision starts) and who may pass IAP to it. The
Cloud Run service itself is deployed with the others, from the services table."""
from __future__ import annotations


def console_secret(t, name: str, q, create_or_update) -> list[str]:
    """A random secret, created once (a rerun keeps it, so sessions survive a deploy) and never
    written to disk; the console's account may read it before its first revision starts."""
    return ["# the console's session secret in Secret Manager (created once), readable by the console",
            create_or_update("head -c 48 /dev/urandom | base64 | tr -d '\\n' | " +
                             q("gcloud", "secrets", "create", name, "--replication-policy", "automatic",
                               "--data-file", "-", "--project", t.project),
                             q("gcloud", "secrets", "describe", name, "--project", t.project)),
            q("gcloud", "secrets", "add-iam-policy-binding", name, "--project", t.project, "--member",
              f"serviceAccount:{t.sa('console')}", "--role", "roles/secretmanager.secretAccessor")]


def console_access(t, users: tuple[str, ...], q) -> list[str]:
    """IAP signs people in; its service agent invokes the service for them."""
    agent = f"serviceAccount:service-{t.number}@gcp-sa-iap.iam.gserviceaccount.com"
    cmds = ["# who may open the console: IAP's agent invokes it; each --console-user may pass IAP",
            q("gcloud", "run", "services", "add-iam-policy-binding", "console", "--region", t.region, "--project",
              t.project, "--role", "roles/run.invoker", "--member") + f" {agent}"]
    for user in users:
        cmds.append(q("gcloud", "beta", "iap", "web", "add-iam-policy-binding", "--resource-type", "cloud-run",
                      "--service", "console", "--region", t.region, "--project", t.project, "--member",
                      f"user:{user}", "--role", "roles/iap.httpsResourceAccessor"))
    return cmds
