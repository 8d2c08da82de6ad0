"""The fetch policy over real HTTP: which statuses are retried, how long it waits, what a
failure says, and that credentials never appear in it."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devsupport.feed_sources import Fault
from ingest.http import FeedError, Http, RetryPolicy, redact_url, retry_after_seconds

PATH = "/anything"


def get(sources, clock, **policy):
    http = Http("lines", RetryPolicy(**policy), sleep=clock.sleep, now=clock.now, secrets=["s3cret-key"])
    return http.get(f"{sources.url}{PATH}", params={"apiKey": "s3cret-key", "regions": "us"}, accept={404})


def test_retry_after_as_an_http_date_is_waited_until_and_a_long_one_is_capped(sources, clock):
    sources.fail(PATH, Fault(503, headers={"Retry-After": "Tue, 16 Jan 2024 11:00:30 GMT"}),
                 Fault(429, headers={"Retry-After": "600"}))
    response = get(sources, clock)
    assert response.status_code == 404                   # the status the caller accepts comes back as is
    assert clock.slept == [30.0, 60.0]


def test_an_unretried_status_fails_at_once_naming_it_without_the_key(sources, clock):
    sources.fail(PATH, Fault(403, b"denied"))
    with pytest.raises(FeedError) as failed:
        get(sources, clock)
    assert str(failed.value) == f"lines: {sources.url}{PATH}?regions=us: HTTP 403"
    assert clock.slept == []


def test_5xx_is_retried_with_doubling_waits_and_the_last_status_is_named(sources, clock):
    sources.fail(PATH, Fault(502), Fault(503), Fault(504), Fault(500))
    with pytest.raises(FeedError, match=r": HTTP 500 \(gave up after 4 attempts\)$"):
        get(sources, clock, attempts=4)
    assert clock.slept == [1.0, 2.0, 4.0]


def test_a_timeout_is_retried_and_named(clock):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)             # accepts connections and never answers
    port = listener.getsockname()[1]
    try:
        http = Http("box_scores", RetryPolicy(read_s=0.2, attempts=2), sleep=clock.sleep, now=clock.now)
        with pytest.raises(FeedError, match=r"timed out: .*\(gave up after 2 attempts\)$"):
            http.get(f"http://127.0.0.1:{port}/leaguegamelog")
    finally:
        threading.Thread(target=listener.close).start()
    assert clock.slept == [1.0]


def test_redaction():
    assert redact_url("https://api.example/v4/x?apiKey=abc&regions=us&markets=a,b") == \
        "https://api.example/v4/x?regions=us&markets=a,b"
    assert retry_after_seconds("12", datetime(2024, 1, 1, tzinfo=UTC)) == 12.0
    assert retry_after_seconds("soon", datetime(2024, 1, 1, tzinfo=UTC)) is None
