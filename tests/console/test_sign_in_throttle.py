"""Guessing the token at the sign-in form: after 5 wrong tokens from one address (or 20 from
everyone) within 5 minutes, every attempt is a 429 with Retry-After, the right token
included, until the oldest failure leaves the window. The clock is the throttle's own."""
from __future__ import annotations

import dataclasses
import logging

import pytest

from console import throttle
from console.app import create_app
from console.main import access_from_settings
from tests.console.conftest import TOKEN


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def client(served, clock):
    access = access_from_settings(served.settings, TOKEN)
    access = dataclasses.replace(access, throttle=throttle.SignInThrottle(clock=clock))
    return create_app(served.console, access).test_client()


def attempt(client, address: str, token: str = "wrong-token-0123456789"):
    return client.post("/login", data={"name": "mallory", "token": token, "next": "/slate"},
                       environ_base={"REMOTE_ADDR": address})


def test_the_documented_limits():
    assert (throttle.PER_CLIENT, throttle.OVERALL, throttle.WINDOW_S) == (5, 20, 300.0)


def test_one_address_is_locked_out_after_five_wrong_tokens_until_the_window_passes(client, clock, caplog):
    for _ in range(throttle.PER_CLIENT):
        assert attempt(client, "10.0.0.1").status_code == 401
    with caplog.at_level(logging.WARNING, logger="console.session"):
        locked = attempt(client, "10.0.0.1")
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "300"
    assert "too many wrong tokens; try again in 300 s" in locked.get_data(as_text=True)
    right = attempt(client, "10.0.0.1", TOKEN)
    assert right.status_code == 429 and "Set-Cookie" not in right.headers, "the right token waits too"
    assert attempt(client, "10.0.0.2", TOKEN).status_code == 302, "another address is not locked"
    clock.now += 120
    assert attempt(client, "10.0.0.1", TOKEN).headers["Retry-After"] == "180"
    clock.now += 180
    assert attempt(client, "10.0.0.1", TOKEN).status_code == 302
    assert [r for r in caplog.records if getattr(r, "auth", None) == "throttled" and "10.0.0.1" in r.getMessage()]


def test_everyone_together_is_locked_out_after_twenty(client, clock):
    for n in range(throttle.OVERALL):
        assert attempt(client, f"10.0.1.{n % 5}").status_code == 401
    fresh = attempt(client, "10.0.2.1", TOKEN)
    assert fresh.status_code == 429 and int(fresh.headers["Retry-After"]) == 300
    clock.now += 301
    assert attempt(client, "10.0.2.1", TOKEN).status_code == 302


def test_a_right_token_starts_the_addresss_count_again(client):
    for _ in range(throttle.PER_CLIENT - 1):
        attempt(client, "10.0.3.1")
    assert attempt(client, "10.0.3.1", TOKEN).status_code == 302
    for _ in range(throttle.PER_CLIENT - 1):
        assert attempt(client, "10.0.3.1").status_code == 401
