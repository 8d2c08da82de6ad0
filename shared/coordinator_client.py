"""Calls the coordinator (POST /start, /check-stalled, /refresh) with an identity: a Google-signed OIDC
token on GCP, a configured bearer token locally (none with PIPELINE_AUTH=off). The orchestrator,
the console and the local stack all call it; `for_settings` is the one choice of credentials."""
from __future__ import annotations

from collections.abc import Callable

import requests

from shared.config import Settings


class StartFailed(RuntimeError):
    """/start did not answer 2xx; the event must be retried. ``status`` is the HTTP status
    when there was an answer, ``reason`` the coordinator's own error text (its JSON
    ``error``), for callers that show it without the internal address in the message."""

    def __init__(self, message: str, status: int | None = None, reason: str | None = None):
        super().__init__(message)
        self.status = status
        self.reason = reason


class StartRefused(StartFailed):
    """/start answered a 4xx that no retry can change (the request itself is wrong for it)."""


RETRYABLE_4XX = {401, 403, 408, 429}   # credentials and throttling can mend themselves


def static_token(token: str | None) -> Callable[[], str | None]:
    return lambda: token


def google_id_token(audience: str) -> Callable[[], str]:
    def fetch() -> str:
        import google.auth.transport.requests
        from google.oauth2 import id_token

        return id_token.fetch_id_token(google.auth.transport.requests.Request(), audience)
    return fetch


def token_for(settings: Settings) -> Callable[[], str | None]:
    """What a caller presents to the coordinator: nothing with PIPELINE_AUTH=off (the emulators,
    a trusted network; where Cloud Run's IAM still stands in front, auth stays on), a Google ID
    token for its URL on GCP, the shared bearer token on one machine."""
    if settings.auth == "off":
        return static_token(None)
    if settings.backend == "gcp":
        return google_id_token(settings.need("coordinator_url"))
    return static_token(settings.auth_token)


class CoordinatorClient:
    def __init__(self, base_url: str, token: Callable[[], str | None], timeout_s: float = 30,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self.session = session or requests.Session()

    def start(self, body: dict) -> dict:
        return self._post("/start", body)

    def check_stalled(self) -> dict:
        return self._post("/check-stalled", {})

    def refresh(self, body: dict) -> dict:
        return self._post("/refresh", body)

    def _post(self, path: str, body: dict) -> dict:
        headers = {}
        try:
            token = self.token()
        except Exception as exc:   # no identity to present is as transient as a failed call
            raise StartFailed(f"could not obtain an identity token for {self.base_url}: {exc}") from exc
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = f"{self.base_url}{path}"
        try:
            resp = self.session.post(url, json=body, headers=headers, timeout=self.timeout_s)
        except requests.RequestException as exc:
            raise StartFailed(f"POST {url}: {type(exc).__name__}: {exc}") from None
        if 400 <= resp.status_code < 500 and resp.status_code not in RETRYABLE_4XX:
            raise StartRefused(f"POST {url} answered {resp.status_code}: {resp.text[:300]}", resp.status_code,
                               _reason(resp))
        if not 200 <= resp.status_code < 300:
            raise StartFailed(f"POST {url} answered {resp.status_code}: {resp.text[:300]}", resp.status_code,
                              _reason(resp))
        try:
            return resp.json()
        except ValueError:
            return {}


def for_settings(settings: Settings) -> CoordinatorClient:
    return CoordinatorClient(settings.need("coordinator_url"), token_for(settings))


def _reason(resp: requests.Response) -> str | None:
    try:
        error = resp.json().get("error")
    except (ValueError, AttributeError):
        return None
    return str(error)[:300] if error else None
