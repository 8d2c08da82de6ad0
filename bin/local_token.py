"""The bearer token of the services on one machine: the configured one, or one generated
once and kept in PIPELINE_HOME (mode 0600) for curl and the CLI's own calls to use."""
from __future__ import annotations

import secrets

from shared.config import MIN_TOKEN, Settings


def local_token(settings: Settings) -> str | None:
    """The configured token, or one generated and kept in PIPELINE_HOME for curl to use."""
    if settings.auth == "off":
        return None
    if settings.auth_token:
        return settings.auth_token
    path = settings.home / "auth_token"
    if not path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    token = path.read_text().strip()
    if len(token) < MIN_TOKEN:
        raise ValueError(f"{path} holds {'no token' if not token else f'a {len(token)}-character token'}; "
                         f"delete it to have one generated, or write a token of at least {MIN_TOKEN} characters")
    return token
