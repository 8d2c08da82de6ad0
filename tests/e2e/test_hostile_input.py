"""Hostile names and ids (quotes, ../, unicode, SQL fragments) flow through import, the
processors, /start, the worker and the warehouse as plain data: SQL is parameterised,
object keys are validated, and bad ids are 400s naming the field."""
from __future__ import annotations

import pandas as pd
import pytest

from bin import stack as local
from coordinator.service import status
from ingest.importer import import_files
from processors.runner import nightly
from shared.catalogue import ROWS_PER_PLAYER
from shared.config import Settings
from tests.conftest import SAMPLE
from tests.support.stack import DAY

pytestmark = pytest.mark.e2e
TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HOSTILE = ["O'Neal\"; DROP TABLE analytics.schedule; --", "../../../../tmp/escaped", "Nikola Jokić 🏀 ß",
           "Robert'); DELETE FROM predictions.player_prop_predictions;--", "\\x00 عربي evil",
           "<script>alert('pwned')</script>", '<img src=x onerror="alert(1)"> "Big" O\'Neal']


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    home = tmp_path_factory.mktemp("hostile")
    logs = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    playing = logs.loc[logs["GAME_DATE"] == str(DAY), "PLAYER_ID"].drop_duplicates().head(len(HOSTILE)).tolist()
    renamed = dict(zip(playing, HOSTILE, strict=False))
    logs["PLAYER_NAME"] = [renamed.get(p, n) for p, n in zip(logs["PLAYER_ID"], logs["PLAYER_NAME"], strict=True)]
    logs.to_csv(home / "hostile.csv", index=False)
    st = local.start(Settings.from_env({"PIPELINE_HOME": str(home / "var"), "PIPELINE_AUTH_TOKEN": TOKEN}),
                     start_dispatcher=False)
    import_files(st.warehouse, [home / "hostile.csv"])
    yield st, {int(p): n for p, n in renamed.items()}, home
    st.stop()


def test_hostile_names_are_stored_and_predicted_verbatim(hostile):
    st, names, home = hostile
    events = nightly(st.warehouse, st.bus, DAY)
    assert all(e.status == "success" for e in events)
    st.bus.drain()
    preds = st.warehouse.query("SELECT player_id, player_name, system FROM predictions.player_prop_predictions "
                               "WHERE player_id IN (SELECT * FROM UNNEST(@ids))", {"ids": sorted(names)})
    got = dict(zip(preds["player_id"], preds["player_name"], strict=True))
    assert got == names and len(preds) == ROWS_PER_PLAYER * len(names)
    assert st.warehouse.count("analytics.schedule") > 0        # no fragment ran as SQL
    assert not (home.parent / "tmp" / "escaped").exists() and not list(home.rglob("escaped*"))


def test_a_manual_batch_for_hostile_players_and_bad_ids_in_every_field(hostile):
    from coordinator.app import create_app
    from shared.auth import bearer

    st, names, _ = hostile
    client = create_app(st.coordinator, bearer(TOKEN)).test_client()
    resp = client.post("/start", json={"game_date": str(DAY), "players": sorted(names), "force": True}, headers=AUTH)
    assert resp.status_code == 202, resp.json
    st.bus.drain()
    assert status(st.coordinator, resp.json["batch_id"])["completed"] == len(names)
    for body, field in [({"players": ["1; DROP TABLE x"]}, "players"), ({"players": ["../etc"]}, "players"),
                        ({"correlation_id": "../../x"}, "correlation_id"), ({"correlation_id": "a'--"},
                                                                            "correlation_id"),
                        ({"systems": ["xgboost'; --"]}, "systems"), ({"lines": {"../1": 20}}, "lines"),
                        ({"game_date": "2024-01-16'; --"}, "game_date")]:
        bad = client.post("/start", json={"game_date": str(DAY), **body}, headers=AUTH)
        assert bad.status_code == 400 and bad.json["field"] == field, (body, bad.json)
    for query in ("batch_id=../../etc/passwd", "batch_id=x'%20OR%20'1'='1", "game_date=2024-01-16'--",
                  "batch_id=%E2%80%AE%00"):
        assert client.get(f"/status?{query}", headers=AUTH).status_code == 400, query


def parsed(page: str) -> tuple[list[tuple[str, str | None]], str]:
    """The elements a browser would build (tag, src) and the text it would show."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.text = [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs).get("src")))

        def handle_data(self, data):
            self.text.append(data)

    reader = Reader()
    reader.feed(page)
    return reader.tags, "".join(reader.text)


def test_the_console_shows_hostile_names_as_text(hostile):
    """Escaped in the pages, verbatim in the CSV and the API's JSON; and the pages' policy
    refuses inline script even if a name ever got through."""
    import csv
    import io

    import requests

    st, names, _ = hostile
    base = st.urls["console"]
    s = requests.Session()
    s.post(f"{base}/login", data={"name": "<b>ann</b>", "token": TOKEN})
    page = s.get(f"{base}/slate?date={DAY}&system=all")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    tags, text = parsed(page.text)
    assert [t for t in tags if t[0] in ("script", "img", "b")] == [("script", "/static/console.js")]
    assert "<script>alert('pwned')</script>" in text and '<img src=x onerror="alert(1)"> "Big" O\'Neal' in text
    assert "<b>ann</b>" in text
    rows = list(csv.DictReader(io.StringIO(s.get(f"{base}/slate.csv?date={DAY}").text)))
    assert set(names.values()) <= {r["player_name"] for r in rows}
    api = s.get(f"{base}/v1/predictions?game_date={DAY}", headers=AUTH).json()["predictions"]
    assert set(names.values()) <= {r["player_name"] for r in api}
    tonight = s.get(f"{base}/tonight?date={DAY}&x=%3Cscript%3E").text
    assert "<script>" not in tonight.replace('<script src="/static/console.js" defer></script>', "")


@pytest.mark.parametrize("name", ["../points_xgboost", "points xgboost", "Points", "a/b", "x'--", "é"])
def test_model_names_that_could_escape_the_registry_are_refused(name):
    from shared.models.registry import check_name

    with pytest.raises(ValueError, match="model name"):
        check_name(name)
