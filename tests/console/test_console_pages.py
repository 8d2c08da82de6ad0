"""The console's pages over real HTTP: sign-in and its cookie, refusals without a session or
without the CSRF token, every page rendering the stored data, and actions that go through
the owner's code and land in the audit log."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
import requests

from console import actions
from shared import tables
from shared.models import BUNDLED
from shared.models.registry import Registry
from tests.console.conftest import TOKEN
from tests.support.stack import DAY

PAGES = ["/tonight", f"/tonight?date={DAY}", f"/slate?date={DAY}", "/accuracy", "/models", "/actions",
         f"/tonight/progress?date={DAY}"]


@pytest.fixture
def browser(served):
    """A signed-in requests session (cookies kept like a browser's)."""
    s = requests.Session()
    resp = s.post(served.urls["console"] + "/login", data={"name": "ann", "token": TOKEN, "next": "/slate"},
                  allow_redirects=False)
    assert resp.status_code == 302 and resp.headers["Location"] == "/slate"
    return s


def url(served, path):
    return served.urls["console"] + path


def token_of(session, served) -> str:
    page = session.get(url(served, "/actions")).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("path", PAGES)
def test_without_a_session_pages_send_you_to_sign_in(served, path):
    resp = requests.get(url(served, path), allow_redirects=False)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=")


def test_changes_without_a_session_are_refused(served):
    before = len(actions.history(served.store))
    for path in ("/actions/run", "/actions/confirm", "/logout"):
        resp = requests.post(url(served, path), data={"action": "check-stalled"}, allow_redirects=False)
        assert resp.status_code == 401, path
    assert len(actions.history(served.store)) == before


def test_sign_in_sets_an_httponly_samesite_cookie_and_never_puts_the_token_in_a_url(served):
    resp = requests.post(url(served, "/login"), data={"name": "ann", "token": TOKEN, "next": "//evil.example/x"},
                         allow_redirects=False)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    assert resp.headers["Location"] == "/", "only a path on this site is a place to return to"
    page = requests.get(url(served, "/login")).text
    assert 'method="post"' in page and 'type="password"' in page


@pytest.mark.parametrize("form, error", [({"name": "ann", "token": "wrong-token-0123456789"}, "wrong token"),
                                         ({"name": " ", "token": TOKEN}, "name:"), ({"name": "ann"}, "wrong token")])
def test_a_wrong_sign_in_is_refused_and_starts_no_session(served, form, error):
    s = requests.Session()
    resp = s.post(url(served, "/login"), data=form, allow_redirects=False)
    assert resp.status_code == 401 and error in resp.text and "Set-Cookie" not in resp.headers
    assert s.get(url(served, "/slate"), allow_redirects=False).status_code == 302


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_a_signed_in_operator(served, browser, path):
    resp = browser.get(url(served, path))
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    links = re.findall(r'(?:src|href|action)="([^"]*)"', resp.text)
    assert all(link.startswith("/") and not link.startswith("//") for link in links), "no external asset"


def test_the_slate_shows_the_stored_rows_and_downloads_them(served, browser):
    stored = served.warehouse.read(tables.PREDICTIONS.fqn, DAY, DAY)
    stored = stored[(stored["system"] == "ensemble") & ~stored["shadow"].fillna(False).astype(bool)]
    team = stored["team_abbr"].iloc[0]
    page = browser.get(url(served, f"/slate?date={DAY}&prop=points&team={team}")).text
    want = stored[(stored["prop"] == "points") & (stored["team_abbr"] == team)]
    assert page.count('<td class="name">') == len(want) > 0
    assert 'id="slate-points"' in page and 'id="slate-rebounds"' not in page
    text = browser.get(url(served, f"/slate.csv?date={DAY}&prop=points&team={team}")).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(want) and {r["team_abbr"] for r in rows} == {team}
    edges = [float(r["edge"]) for r in rows if r["edge"]]
    assert edges == sorted(edges, reverse=True), "sorted by edge"


def test_the_pages_refuse_bad_parameters_with_the_field_named(served, browser):
    for path, field in (("/slate?date=2024-99-01", "date"), ("/slate?prop=steals", "prop"),
                        ("/accuracy?prop=x", "prop"), ("/tonight?date=yesterday", "date")):
        resp = browser.get(url(served, path))
        assert resp.status_code == 400 and field in resp.text, path


def test_tonight_shows_the_processors_trigger_and_finished_batch(served, browser):
    page = browser.get(url(served, f"/tonight?date={DAY}")).text
    assert page.count('class="status-success"') == 5
    assert 'id="trigger">triggered' in page and 'id="batch-state" class="state-finished">finished' in page


def test_a_change_without_the_csrf_token_or_from_another_site_is_refused(served, browser):
    before = len(actions.history(served.store))
    assert browser.post(url(served, "/actions/run"), data={"action": "check-stalled"}).status_code == 403
    assert browser.post(url(served, "/actions/run"), data={"action": "check-stalled", "csrf_token": "x" * 43}
                        ).status_code == 403
    other = browser.post(url(served, "/actions/run"), headers={"Origin": "https://evil.example"},
                         data={"action": "check-stalled", "csrf_token": token_of(browser, served)})
    assert other.status_code == 403
    assert len(actions.history(served.store)) == before, "refused before anything ran"


def test_an_action_is_confirmed_then_run_and_audited(served, browser):
    token = token_of(browser, served)
    confirm = browser.post(url(served, "/actions/confirm"), data={"action": "start", "game_date": str(DAY),
                                                                  "csrf_token": token})
    assert confirm.status_code == 200 and 'id="confirm-button"' in confirm.text and str(DAY) in confirm.text
    batch = served.coordinator.batches.date_pointer(DAY)[0].batch_id
    done = browser.post(url(served, "/actions/run"), data={"action": "start", "game_date": str(DAY),
                                                           "csrf_token": token})
    assert done.status_code == 200 and batch in done.text, "an existing batch is returned, not repeated"
    entry = actions.history(served.store)[0]
    assert (entry["user"], entry["action"], entry["params"], entry["ok"]) == ("ann", "start",
                                                                              {"game_date": str(DAY)}, True)
    assert served.coordinator.batches.date_pointer(DAY)[0].batch_id == batch


def test_promoting_from_the_console_moves_the_pointer_and_logs_who(served, browser):
    registry = Registry(served.store)
    bundled = BUNDLED / "points_xgboost"
    version = registry.claim_version("points_xgboost")
    registry.put("points_xgboost", version, "xgboost", (bundled / "model.ubj").read_bytes(),
                 json.loads((bundled / "metrics.json").read_text()), json.loads((bundled / "schema.json").read_text()))
    token = token_of(browser, served)
    form = {"action": "promote", "name": "points_xgboost", "version": str(version), "reason": "console test",
            "csrf_token": token}
    assert browser.post(url(served, "/actions/run"), data=form).status_code == 200
    assert registry.pointer("points_xgboost").version == version
    assert registry.history("points_xgboost")[-1]["by"] == "ann"
    refused = browser.post(url(served, "/actions/run"), data={**form, "version": "99"})
    assert refused.status_code == 400 and "not in the registry" in refused.text
    assert actions.history(served.store)[0]["ok"] is False
    page = browser.get(url(served, "/models")).text
    assert f"v{version}" in page and "console test" in page


@pytest.mark.parametrize("form, field", [({"action": "start", "game_date": "2024-02-30"}, "game_date"),
                                         ({"action": "promote", "name": "x", "version": "1;", "reason": "r"},
                                          "version"),
                                         ({"action": "promote", "name": "x", "version": "1", "reason": ""}, "reason"),
                                         ({"action": "drop-tables"}, "action")])
def test_bad_action_input_names_the_field(served, browser, form, field):
    resp = browser.post(url(served, "/actions/confirm"), data={**form, "csrf_token": token_of(browser, served)})
    assert resp.status_code == 400 and field in resp.text


def test_signing_out_ends_the_session(served, browser):
    browser.post(url(served, "/logout"), data={"csrf_token": token_of(browser, served)})
    assert browser.get(url(served, "/slate"), allow_redirects=False).status_code == 302


def test_tonight_shows_each_feeds_freshness_a_stale_or_failing_one_in_red(served, browser):
    from datetime import UTC, datetime, timedelta

    from shared import freshness

    now = datetime.now(UTC)
    freshness.record_success(served.store, "box_scores", now - timedelta(hours=2), 229, "2024-01-15", None)
    freshness.record_success(served.store, "lines", now - timedelta(hours=3), 26, "2024-01-16: 3 events", None)
    freshness.record_failure(served.store, "injuries", now, "injuries: http://x/r.pdf: HTTP 500 after 3 attempts",
                             "http://x/r.pdf")
    page = browser.get(url(served, f"/tonight?date={DAY}")).text
    rows = dict(re.findall(r'<tr class="([^"]+)"><td>(\w+)</td>', page.split('id="feeds"')[1].split("</table>")[0]))
    assert {feed: css for css, feed in rows.items()} == {
        "box_scores": "feed-ok", "schedule": "feed-never", "injuries": "feed-failing feed-degraded",
        "lines": "feed-stale feed-degraded"}
    assert "HTTP 500 after 3 attempts" in page and "2h 00m" in page
    assert "stale after box_scores 30 h, schedule 30 h, injuries 60 min, lines 90 min" in page
    assert 'id="batch-report">none</span>' in page                 # DAY's batch ran without a report or lines


def test_the_accuracy_page_draws_p_over_reliability_from_the_graded_rows(served, browser):
    page = browser.get(url(served, f"/accuracy?start={DAY}&end={DAY}&prop=rebounds")).text
    assert "P(over) reliability, rebounds" in page
    points = re.findall(r"ensemble: P\(over\) ([\d.]+)%, over ([\d.]+)%, (\d+) rows", page)
    graded = served.warehouse.query(
        f"SELECT COUNT(*) AS n FROM {tables.PREDICTION_ACCURACY.fqn} WHERE system = 'ensemble' AND prop = 'rebounds' "
        f"AND game_date = @d", {"d": DAY})["n"].iloc[0]
    shown = sum(int(n) for _, _, n in points)
    assert 0 < shown <= graded, "every drawn row is a graded one (pushes and players without ten games left out)"
    assert all(0 <= float(p) <= 100 and 0 <= float(o) <= 100 for p, o, _ in points)
