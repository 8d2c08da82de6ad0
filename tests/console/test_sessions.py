"""Sessions end on the server: a cookie saved before sign-out opens neither the read API nor
an action afterwards, a cookie without a server-side record (as every cookie was before)
opens nothing, and a session ends 8 h after sign-in or after 1 h without a request."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from console import actions
from console.session_store import ABSOLUTE, IDLE, PREFIX, SessionStore
from shared.adapters.directory_store import DirectoryStore
from tests.console.conftest import TOKEN
from tests.support.stack import DAY


def url(served, path):
    return served.urls["console"] + path


def signed_in(served) -> requests.Session:
    s = requests.Session()
    assert s.post(url(served, "/login"), data={"name": "ann", "token": TOKEN}, allow_redirects=False
                  ).status_code == 302
    return s


def csrf_of(s, served) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', s.get(url(served, "/actions")).text).group(1)


def test_a_cookie_saved_before_sign_out_opens_nothing_after_it(served):
    browser = signed_in(served)
    saved, token = browser.cookies.get_dict(), csrf_of(browser, served)
    assert requests.get(url(served, f"/v1/predictions?game_date={DAY}"), cookies=saved).status_code == 200
    assert browser.post(url(served, "/logout"), data={"csrf_token": token}, allow_redirects=False).status_code == 302
    before = len(actions.history(served.store))
    api = requests.get(url(served, f"/v1/predictions?game_date={DAY}"), cookies=saved)
    assert api.status_code == 401 and api.json() == {"error": "missing or invalid credentials"}
    act = requests.post(url(served, "/actions/run"), cookies=saved, data={"action": "check-stalled",
                                                                         "csrf_token": token})
    assert act.status_code == 401 and len(actions.history(served.store)) == before, "nothing ran"
    page = requests.get(url(served, "/slate"), cookies=saved, allow_redirects=False)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_the_record_is_in_the_object_store_until_sign_out(served):
    before = set(served.store.list(PREFIX))
    browser = signed_in(served)
    new = set(served.store.list(PREFIX)) - before
    assert len(new) == 1
    browser.post(url(served, "/logout"), data={"csrf_token": csrf_of(browser, served)})
    assert not new & set(served.store.list(PREFIX))


def test_a_signed_cookie_without_a_server_side_session_opens_nothing(served):
    """What every cookie was before sessions were kept on the server: signed, 12 h, no record."""
    from console.app import create_app
    from console.main import access_from_settings

    app = create_app(served.console, access_from_settings(served.settings, TOKEN))
    forged = app.session_interface.get_signing_serializer(app).dumps({"user": "ann", "csrf": "x" * 43})
    cookies = {app.config["SESSION_COOKIE_NAME"]: forged}
    assert requests.get(url(served, f"/v1/predictions?game_date={DAY}"), cookies=cookies).status_code == 401


class Clock:
    def __init__(self):
        self.now = datetime(2024, 1, 16, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sessions(tmp_path, clock):
    return SessionStore(DirectoryStore(tmp_path), now=clock)


def test_a_session_without_requests_for_an_hour_ends(sessions, clock):
    sid = sessions.start("ann")
    clock.now += IDLE - timedelta(minutes=1)
    assert sessions.user(sid) == "ann", "a request keeps it alive"
    clock.now += IDLE - timedelta(minutes=1)
    assert sessions.user(sid) == "ann"
    clock.now += IDLE
    assert sessions.user(sid) is None
    assert sessions.store.list(PREFIX) == [], "the expired record is deleted"


def test_a_busy_session_still_ends_eight_hours_after_sign_in(sessions, clock):
    sid = sessions.start("ann")
    started = clock.now
    while clock.now - started < ABSOLUTE - timedelta(minutes=30):
        clock.now += timedelta(minutes=30)
        assert sessions.user(sid) == "ann"
    clock.now = started + ABSOLUTE
    assert sessions.user(sid) is None


class RevokedWhileRead(DirectoryStore):
    """The store as seen by a request that read the session just before another instance
    signed it out: the record is deleted between this read and the touch that follows."""
    armed = False

    def read(self, key):
        blob = super().read(key)
        if self.armed:
            self.armed = False
            self.delete(key)
        return blob


def test_a_sign_out_during_a_request_is_not_undone_by_that_request(tmp_path, clock):
    store = RevokedWhileRead(tmp_path)
    sessions = SessionStore(store, now=clock)
    sid = sessions.start("ann")
    clock.now += timedelta(minutes=10)        # old enough that the request rewrites seen_at
    store.armed = True
    assert sessions.user(sid) is None
    assert store.list(PREFIX) == [], "the touch did not bring the record back"


def test_expired_records_are_swept_at_the_next_sign_in(sessions, clock):
    old = sessions.start("ann")
    clock.now += ABSOLUTE
    new = sessions.start("bob")
    assert sessions.store.list(PREFIX) == [f"{PREFIX}{new}.json"] and sessions.user(old) is None


@pytest.mark.parametrize("sid", [None, "", "../../auth_token", "x" * 43 + "/", 42, "A" * 43])
def test_ids_that_are_not_sessions_open_nothing(sessions, sid):
    assert sessions.user(sid) is None
    sessions.revoke(sid)
