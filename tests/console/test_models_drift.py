"""The Models page's drift table agrees with the alerts: the key features come first and
alone can be marked as alerts; the others are shown as context, marked as not alerted."""
from __future__ import annotations

import re

import requests

from modeling.drift import monitor
from shared.catalogue import DRIFT_KEY_FEATURES
from tests.console.conftest import TOKEN
from tests.support.stack import DAY


def test_drift_rows_put_the_key_features_first_and_flag_only_their_alerts(served):
    result = monitor(served.warehouse, served.store, DAY)
    browser = requests.Session()
    browser.post(served.urls["console"] + "/login", data={"name": "ann", "token": TOKEN, "next": "/models"})
    page = browser.get(served.urls["console"] + "/models")
    assert page.status_code == 200
    table = re.search(r'<table id="drift">(.*?)</table>', page.text, re.S).group(1)
    row = r'<tr( class="[^"]+")?><td>([a-z0-9_]+)</td><td class="num">([0-9.]+)</td>\s*<td>([^<]+)</td>'
    rows = re.findall(row, table)       # (class, feature, PSI, what it means)
    assert {name for _, name, _, _ in rows[:len(DRIFT_KEY_FEATURES)]} == set(DRIFT_KEY_FEATURES)   # alerts lead
    flagged = [name for css, name, _, _ in rows if "status-failed" in css]
    assert flagged == result.drift_alerts                       # red means an alert, and only that
    others = rows[len(DRIFT_KEY_FEATURES):]
    assert max(float(psi) for _, _, psi, _ in others) > 0.25   # context far past the threshold, yet:
    assert {said for _, _, _, said in others} == {"not alerted"}
    assert "a key feature above 0.25 (" + ", ".join(DRIFT_KEY_FEATURES) + ")" in page.text
