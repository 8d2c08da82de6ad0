"""Request authentication for the HTTP services: a configured bearer token locally;
Google-signed OIDC tokens on GCP (Pub/Sub push, Cloud Scheduler, the orchestrator's calls:
signature against Google's certificates, expiry, audience, issuer, and that the caller is one
of the allowed service accounts). Switching it off takes an explicit setting and is logged."""
from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable

import requests

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

        # only what serves HTTP needs an audience; the CLI jobs share the environment without one
        if not settings.oidc_audience:
            raise ConfigError(f"{service}: OIDC_AUDIENCE is required when PIPELINE_BACKEND=gcp and PIPELINE_AUTH=on")

        return verifier(settings)
    if not settings.auth_token:
        raise ValueError("PIPELINE_AUTH_TOKEN is required when PIPELINE_AUTH=on on the local backend")
    return bearer(settings.auth_token)

ISSUERS = ("accounts.google.com", "https://accounts.google.com")
CERTS_TTL_S = 3600


class CertCache:
    def __init__(self, url: str, ttl_s: float = CERTS_TTL_S):
        self.url, self.ttl_s = url, ttl_s
        self._certs: dict = {}
        self._fetched = 0.0
        self._lock = threading.Lock()

    def get(self, refresh: bool = False) -> dict:
        with self._lock:
            if refresh or not self._certs or time.monotonic() - self._fetched > self.ttl_s:
                resp = requests.get(self.url, timeout=10)
                resp.raise_for_status()
                self._certs, self._fetched = resp.json(), time.monotonic()
            return self._certs

    def decode(self, token: str, audience: str) -> dict:
        """The token's claims, its signature checked against these certificates (fetched again
        once when it names a key they lack: Google rotates keys); ValueError or GoogleAuthError
        when it does not verify."""
        from google.auth import jwt

        try:
            return jwt.decode(token, certs=self.get(), audience=audience)
        except ValueError as exc:
            if "Certificate for key id" not in str(exc):
                raise
            return jwt.decode(token, certs=self.get(refresh=True), audience=audience)


def make_verifier(audience: str, allowed: set[str] | None, certs_url: str) -> Check:
    from google.auth import exceptions

    certs = CertCache(certs_url)

    def deny(reason: str) -> Denial:
        log.warning("request refused: %s", reason, extra={"auth": "refused"})
        return {"error": "missing or invalid credentials"}, 401

    def check(request) -> Denial | None:
        header = request.headers.get("Authorization") or ""
        if not header.startswith("Bearer ") or len(header) < 8:
            return deny("no bearer token")
        token = header[7:]
        try:
            claims = certs.decode(token, audience)
        except (ValueError, exceptions.GoogleAuthError) as exc:
            return deny(f"token rejected: {type(exc).__name__}")
        if claims.get("iss") not in ISSUERS:
            return deny("unexpected issuer")
        if allowed and (claims.get("email") not in allowed or not claims.get("email_verified")):
            return deny("caller is not an allowed service account")
        return None

    return check


def verifier(settings) -> Check:
    allowed = {e.strip() for e in (settings.oidc_service_accounts or "").split(",") if e.strip()}
    return make_verifier(settings.oidc_audience, allowed or None, settings.oidc_certs_url)
