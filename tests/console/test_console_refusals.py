"""The console's answers to input that used to crash it or say too much: ids past Python's
digit limit, a slate CSV for a date without predictions, a bad prop before anything is
graded, and actions the coordinator refuses or cannot take (no internal address shown)."""
from __future__ import annotations

import dataclasses
import shutil
import socket

import pytest
import requests

from bin import stack as local
from console import actions
from console.app import create_app
from console.main import access_from_settings
from shared.config import Settings
from shared.coordinator_client import CoordinatorClient, static_token
from tests.console.conftest import AUTH, TOKEN, csrf, sign_in
from tests.support.stack import DAY

HUGE = "9" * 4301     # one digit past int()'s default limit for text


def get(served, path):
    return requests.get(served.urls["console"] + path, headers=AUTH, timeout=30)


@pytest.mark.parametrize("path", [f"/v1/players/{HUGE}", f"/v1/predictions?game_date={DAY}&player_id={HUGE}"])
def test_an_id_too_long_for_a_number_is_a_400_naming_it(served, path):
    resp = get(served, path)
    assert resp.status_code == 400 and resp.json()["field"] == "player_id", resp.text
    assert len(resp.json()["error"]) < 200, "the value is cut, not echoed whole"


def test_the_slate_csv_of_a_date_without_predictions_is_the_header_alone(served):
    resp = get(served, "/slate.csv?date=2024-01-17")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert resp.text.splitlines() == [
        "game_date,player_id,player_name,team_abbr,opponent_abbr,system,prop,p10,p50,p90,predicted,line,p_over,edge,"
        "recommendation,availability"]


@pytest.fixture(scope="module")
def ungraded(tmp_path_factory, sample_db):
    """A stack over the imported sample: no predictions, nothing graded."""
    home = tmp_path_factory.mktemp("ungraded")
    shutil.copy(sample_db, home / "warehouse.duckdb")
    settings = Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN})
    st = local.start(settings, start_dispatcher=False)
    yield create_app(st.console, access_from_settings(settings, TOKEN)).test_client()
    st.stop()


def test_a_bad_prop_is_a_400_even_before_anything_is_graded(ungraded):
    assert ungraded.get("/v1/accuracy", headers=AUTH).status_code == 404, "nothing graded: 404"
    resp = ungraded.get("/v1/accuracy?prop=steals", headers=AUTH)
    assert resp.status_code == 400 and resp.json["field"] == "prop", resp.json


def test_an_action_the_coordinator_refuses_says_why_without_its_address(served):
    client = create_app(served.console, access_from_settings(served.settings, TOKEN)).test_client()
    sign_in(client)
    resp = client.post("/actions/run", data={"action": "force", "game_date": "2024-07-01",
                                             "csrf_token": csrf(client)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "the coordinator refused it: " in page, page
    assert "127.0.0.1" not in page and "http://" not in page
    entry = actions.history(served.store)[0]
    assert entry["ok"] is False and "127.0.0.1" not in entry["outcome"]


def test_an_action_the_coordinator_cannot_take_is_a_502_without_its_address(served):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    deps = dataclasses.replace(served.console, coordinator=CoordinatorClient(closed, static_token(TOKEN), timeout_s=5))
    client = create_app(deps, access_from_settings(served.settings, TOKEN)).test_client()
    sign_in(client)
    resp = client.post("/actions/run", data={"action": "check-stalled", "csrf_token": csrf(client)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 502 and "the coordinator could not be reached" in page, page
    assert closed not in page and "127.0.0.1" not in page
