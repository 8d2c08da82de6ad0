"""Request authentication for the HTTP services: a configured bearer token locally;
Google-signed OIDC tokens on GCP. Switching it off takes an explicit setting and is logged."""
from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

Denial = tuple[dict, int]
Check = Callable[[object], Denial | None]   # request -> None when allowed


def bearer(token: str) -> Check:
    expected = f"Bearer {token}".encode()

    def check(request) -> Denial | None:
        given = (request.headers.get("Authorization") or "").encode()
        if not given or not hmac.compare_digest(given, expected):
            return {"error": "missing or invalid credentials"}, 401
        return None
    return check


OPEN_PATHS = frozenset({"/health"})   # liveness, for the platform's probes


def guard(app, check: Check | None, scraper: Check | None = None) -> None:
    """One rule for every route of a service, operational ones included: credentials are
    required except for liveness; /metrics also admits a configured scraper's token. An
    unknown path is refused as unauthenticated before it is found missing."""
    from flask import request

    @app.before_request
    def _guard():
        if check is None or request.path in OPEN_PATHS:
            return None
        if request.path == "/metrics" and scraper is not None and scraper(request) is None:
            return None
        return check(request)


def scraper_from_settings(settings) -> Check | None:
    """PIPELINE_METRICS_TOKEN: a bearer token that opens /metrics only (Prometheus)."""
    return bearer(settings.metrics_token) if settings.metrics_token else None


def from_settings(settings, service: str) -> Check | None:
    if settings.auth == "off":
        log.warning("%s: authentication is OFF (PIPELINE_AUTH=off); every caller is trusted", service,
                    extra={"alert": "auth_disabled"})
        return None
    if settings.backend == "gcp":
        from shared.config import ConfigError
        from shared.oidc import verifier

        # only what serves HTTP needs an audience; the CLI jobs share the environment without one
        if not settings.oidc_audience:
            raise ConfigError(f"{service}: OIDC_AUDIENCE is required when PIPELINE_BACKEND=gcp and PIPELINE_AUTH=on")

        return verifier(settings)
    if not settings.auth_token:
        raise ValueError("PIPELINE_AUTH_TOKEN is required when PIPELINE_AUTH=on on the local backend")
    return bearer(settings.auth_token)
