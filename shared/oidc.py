"""Verify Google-signed OIDC identity tokens (Pub/Sub push, Cloud Scheduler, the
orchestrator's calls): signature against Google's certificates, expiry, audience,
issuer, and that the caller is one of the allowed service accounts."""
from __future__ import annotations

import logging
import threading
import time

import requests

from shared.auth import Check, Denial

log = logging.getLogger(__name__)
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
