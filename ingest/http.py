"""The one way a feed is requested: timeouts, a bounded number of attempts, waits that honour
Retry-After, and failures as one line that names the feed, the URL (never the key) and the
status. See docs/INGEST.md for the policy."""
from __future__ import annotations

import email.utils
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

log = logging.getLogger("ingest")

RETRIED = frozenset({429})          # and every 5xx
SECRET_PARAMS = ("apikey", "api_key")


class FeedError(RuntimeError):
    """A source that is down, refuses, or answers something we cannot read. The message is
    one line: feed, URL without credentials, and the status or the field."""

    def __init__(self, feed: str, url: str, what: str):
        self.feed, self.url, self.what = feed, url, what
        super().__init__(f"{feed}: {url}: {what}")


@dataclass(frozen=True)
class RetryPolicy:
    connect_s: float = 5.0
    read_s: float = 30.0
    attempts: int = 3
    backoff_s: float = 1.0        # before the 2nd attempt; doubles after each
    max_wait_s: float = 60.0      # no wait is longer, Retry-After included

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based)."""
        planned = retry_after if retry_after is not None else self.backoff_s * 2 ** (attempt - 1)
        return max(0.0, min(planned, self.max_wait_s))


def redact_url(url: str) -> str:
    """The URL without credential parameters (the odds API takes its key in the query)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SECRET_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(query, safe=",:")))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Exception texts from the HTTP stack quote the full URL: take every secret out."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return re.sub(r"(?i)(api_?key=)[^&\s'\"]+", r"\1***", text)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class Http:
    """Requests for one feed under one policy. ``sleep`` and ``now`` are injected so tests
    run the waits without waiting; ``session`` is a requests.Session (or a client that
    sends with one, as nba_api does)."""

    def __init__(self, feed: str, policy: RetryPolicy | None = None, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], datetime] | None = None,
                 secrets: Iterable[str] = ()):
        self.feed = feed
        self.policy = policy or RetryPolicy()
        self.session = session or requests.Session()
        self.sleep, self.now = sleep, now or (lambda: datetime.now(UTC))
        self.secrets = tuple(s for s in secrets if s)
        self.waits: list[float] = []     # every wait taken, for the summary and for tests

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.policy.connect_s, self.policy.read_s)

    def get(self, url: str, params: dict | None = None, headers: dict | None = None,
            accept: Iterable[int] = ()) -> requests.Response:
        """GET with retries; a 2xx (or a status in ``accept``) is returned, anything else raises."""
        return self.send(lambda: self.session.get(url, params=params, headers=headers, timeout=self.timeout),
                         requests.Request("GET", url, params=params).prepare().url or url, accept)

    def send(self, attempt_once: Callable[[], requests.Response], url: str,
             accept: Iterable[int] = ()) -> requests.Response:
        """Run ``attempt_once`` under the policy. ``url`` is what messages name (redacted here)."""
        shown, accept = redact_url(url), set(accept)
        for attempt in range(1, self.policy.attempts + 1):
            retry_after, last = None, attempt == self.policy.attempts
            try:
                response = attempt_once()
            except requests.RequestException as exc:
                what = f"{_kind(exc)}: {scrub(str(exc), self.secrets)}"
                if last:
                    raise FeedError(self.feed, shown, f"{what} (gave up after {attempt} attempts)") from None
                log.warning("%s: %s: %s; retrying", self.feed, shown, what)
            else:
                status = response.status_code
                if 200 <= status < 300 or status in accept:
                    return response
                what = scrub(f"HTTP {status}{_said(response)}", self.secrets)
                if status not in RETRIED and status < 500:
                    raise FeedError(self.feed, shown, what)
                if last:
                    raise FeedError(self.feed, shown, f"{what} (gave up after {attempt} attempts)")
                retry_after = retry_after_seconds(response.headers.get("Retry-After"), self.now())
                log.warning("%s: %s: %s; retrying", self.feed, shown, what)
            wait = self.policy.wait(attempt, retry_after)
            self.waits.append(wait)
            self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _kind(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return type(exc).__name__


def _said(response: requests.Response) -> str:
    """What an error response says, briefly: the odds API's JSON `message`, else nothing
    (an HTML error page is no help on one line)."""
    if "json" not in response.headers.get("Content-Type", ""):
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return f" ({str(message)[:160]})" if message else ""
