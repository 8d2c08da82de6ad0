"""Who may use the console, by one rule: the credentials the other services take (a bearer
token locally, a Google OIDC token on GCP) or a console session. A session comes from the
sign-in form (the same token, never in a URL) or, on GCP, from Google IAP's signed header;
its id lives in a signed HttpOnly SameSite=Strict cookie with a CSRF token, which every
change made with a session must carry (the JSON API excepted: a page on another site cannot
send it a JSON body), and its record on the server (console/session_store.py), which
sign-out deletes."""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Flask, current_app, g, jsonify, redirect, request, session, url_for

from console.session_store import ABSOLUTE, SessionStore
from console.throttle import SignInThrottle
from shared.auth import CertCache, Check

log = logging.getLogger(__name__)
OPEN_PATHS = ("/health", "/login")
STATIC = "/static/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
API_PREFIXES = ("/v1/", "/openapi.json", "/metrics")
# the API takes application/json bodies only (415 otherwise): a cross-site form cannot send one,
# and a cross-site script would need a CORS preflight this app never grants
JSON_ONLY = "/v1/"
IAP_HEADER = "X-Goog-IAP-JWT-Assertion"
IAP_ISSUER = "https://cloud.google.com/iap"
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9._~/-]*")   # one leading slash, then our paths' characters

SESSIONS = "console_sessions"         # the app's SessionStore, under app.extensions
ACCESS = "console_access"             # and its Access
ANYONE = "anyone (authentication off)"

Identify = Callable[[object], str | None]     # request -> signed-in email, or None


@dataclass(frozen=True)
class Access:
    service: Check | None       # the services' own check; None: authentication is off
    token: str | None           # what the sign-in form compares with (locally)
    iap: Identify | None        # Google IAP's header (on GCP)
    secret: str                 # signs the session cookie
    secure_cookie: bool         # HTTPS only (on GCP)
    scraper: Check | None = None   # PIPELINE_METRICS_TOKEN also opens /metrics
    throttle: SignInThrottle = field(default_factory=SignInThrottle)   # wrong sign-in tokens


def session_secret(settings, token: str | None) -> str:
    """PIPELINE_CONSOLE_SECRET, else one derived from the token (sessions survive a restart),
    else a random one (authentication off: sessions last as long as the process)."""
    if settings.console_secret:
        return settings.console_secret
    if token:
        return hmac.new(token.encode(), b"pipeline console session", hashlib.sha256).hexdigest()
    return secrets.token_hex(32)


def iap_identity(audience: str, certs_url: str) -> Identify:
    """The email in IAP's signed header (ES256, Google's IAP keys, this service's audience)."""
    from google.auth import exceptions

    certs = CertCache(certs_url)

    def identify(req) -> str | None:
        assertion = req.headers.get(IAP_HEADER)
        if not assertion:
            return None
        try:
            claims = certs.decode(assertion, audience)
        except (ValueError, exceptions.GoogleAuthError) as exc:
            log.warning("IAP assertion refused: %s", type(exc).__name__, extra={"auth": "refused"})
            return None
        if claims.get("iss") != IAP_ISSUER or not claims.get("email"):
            log.warning("IAP assertion refused: issuer or email", extra={"auth": "refused"})
            return None
        return str(claims["email"])
    return identify


def install(app: Flask, access: Access, sessions: SessionStore) -> None:
    app.config.update(SECRET_KEY=access.secret, SESSION_COOKIE_NAME="pipeline_console",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_SECURE=access.secure_cookie, PERMANENT_SESSION_LIFETIME=ABSOLUTE)
    app.extensions[SESSIONS] = sessions
    app.extensions[ACCESS] = access

    @app.before_request
    def _who():
        if request.path.startswith(STATIC):
            g.user = g.via = None
            return None
        g.user, g.via = _identify(access)
        if request.path in OPEN_PATHS:
            return None
        if request.path == "/metrics" and access.scraper is not None and access.scraper(request) is None:
            return None
        if g.user is None:
            if request.path.startswith(API_PREFIXES) or request.method not in SAFE_METHODS:
                return jsonify(error="missing or invalid credentials"), 401
            return redirect(url_for("pages.login", next=next_page(request.path)))
        if g.via != "bearer" and request.method not in SAFE_METHODS:
            return _check_origin() or (None if request.path.startswith(JSON_ONLY) else _check_csrf())
        return None


def _identify(access: Access) -> tuple[str | None, str | None]:
    if "sid" in session:
        user = _sessions().user(session["sid"])
        if user is not None:
            return user, "session"
        session.clear()     # signed out, expired, or never ours: the cookie opens nothing
    if access.iap is not None:
        email = access.iap(request)
        if email:
            start(email)
            return email, "session"
    if access.service is None:   # nothing to revoke: the session only carries the CSRF token
        if "csrf" not in session:
            session.permanent = True
            session["csrf"] = secrets.token_urlsafe(32)
        return ANYONE, "session"
    if request.headers.get("Authorization") and access.service(request) is None:
        return "service credentials", "bearer"
    return None, None


def start(user: str) -> None:
    session.clear()
    session.permanent = True
    session["sid"] = _sessions().start(user)
    session["csrf"] = secrets.token_urlsafe(32)


def end() -> None:
    """Sign out: the session's record goes, so a copy of the cookie opens nothing either."""
    _sessions().revoke(session.get("sid"))
    session.clear()


def _sessions() -> SessionStore:
    return current_app.extensions[SESSIONS]


def current_access() -> Access:
    """The credentials the app handling the request accepts."""
    access: Access = current_app.extensions[ACCESS]
    return access


def csrf_token() -> str:
    return session.get("csrf", "")


def _check_origin():
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        log.warning("cross-site request refused: Origin %s on %s", origin[:100], request.host,
                    extra={"auth": "refused"})
        return jsonify(error="cross-site request refused"), 403
    return None


def _check_csrf():
    given = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return jsonify(error="missing or invalid CSRF token; reload the page and try again"), 403
    return None


def next_page(target: str | None) -> str:
    """Where to return after sign-in: a path on this site, else "/". Only the characters of
    our own paths are allowed, so nothing a browser could read as another host gets through
    (``//x``, ``/\\x``, a tab or CR/LF that browsers drop, ``%2F``, a scheme). The query
    string is dropped: a credential pasted into a link (``?token=...``) must not travel on
    into the sign-in URL, no list of names knows every such parameter, and a page's
    filters are one click away."""
    path = (target or "").split("?", 1)[0].split("#", 1)[0]
    return path if LOCAL_PATH.fullmatch(path) else "/"


@dataclass(frozen=True)
class SignInRefused:
    message: str
    status: int = 401
    retry_after: int | None = None      # seconds, when throttled (429)


def sign_in(access: Access, token: str, name: str, client: str) -> SignInRefused | None:
    """Why the sign-in is refused, or None when the token matches and the session has started.
    While ``client`` (or everyone) has too many wrong tokens, every attempt is refused."""
    if access.token is None:
        return SignInRefused("sign-in with a token is not configured here (Google IAP signs you in on Cloud Run)")
    wait = access.throttle.retry_after(client)
    if wait is not None:
        return SignInRefused(f"too many wrong tokens; try again in {wait} s", 429, wait)
    if not name.strip():
        return SignInRefused("name: say who you are (the audit log records it)")
    if not hmac.compare_digest(token.encode(), access.token.encode()):
        log.warning("console sign-in refused for %r from %s", name[:64], client, extra={"auth": "refused"})
        if access.throttle.failed(client):
            log.warning("console sign-in throttled from %s: %d wrong tokens from it or %d from everyone within "
                        "%.0f s; attempts refused with 429 until the oldest leaves the window", client,
                        access.throttle.per_client, access.throttle.overall, access.throttle.window_s,
                        extra={"auth": "throttled"})
        return SignInRefused("wrong token")
    access.throttle.succeeded(client)
    start(name.strip()[:64])
    return None
