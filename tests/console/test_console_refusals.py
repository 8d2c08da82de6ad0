"""The console's answers to input that used to crash it or say too much: ids past Python's
digit limit, a slate CSV for a date without predictions, a bad prop before anything is
graded."""
from __future__ import annotations

import shutil

import pytest
import requests

from bin import stack as local
from console.app import create_app
from console.main import access_from_settings
from shared.config import Settings
from tests.console.conftest import AUTH, TOKEN
from tests.e2e.conftest import DAY

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
