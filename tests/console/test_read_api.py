"""The read API over real HTTP on the local stack: what consumers get for a date, a player
and a window, the real-time prediction, and the refusals (400 naming the field, 404, 401)."""
from __future__ import annotations

import pandas as pd
import pytest
import requests

from shared import tables
from shared.catalogue import PROP_NAMES, SYSTEM_NAMES
from tests.console.conftest import AUTH
from tests.support.stack import DAY


def get(served, path, **kwargs):
    return requests.get(served.urls["console"] + path, headers=kwargs.pop("headers", AUTH), timeout=30, **kwargs)


def post(served, path, body=None, **kwargs):
    return requests.post(served.urls["console"] + path, json=body, headers=kwargs.pop("headers", AUTH), timeout=30,
                         **kwargs)


@pytest.fixture(scope="module")
def stored(served):
    frame = served.warehouse.read(tables.PREDICTIONS.fqn, DAY, DAY)
    return frame[~frame["shadow"].fillna(False).astype(bool)]


def test_a_dates_predictions_are_the_ensembles_with_every_exported_column(served, stored):
    answer = get(served, f"/v1/predictions?game_date={DAY}").json()
    rows = answer["predictions"]
    assert answer["game_date"] == str(DAY)
    assert len(rows) == int((stored["system"] == "ensemble").sum()) > 0
    assert list(rows[0])[:len(tables.EXPORT_COLUMNS)] == list(tables.EXPORT_COLUMNS)
    assert set(rows[0]) == set(tables.PREDICTIONS.column_names)
    assert {r["system"] for r in rows} == {"ensemble"} and {r["prop"] for r in rows} == set(PROP_NAMES)


def test_filters_narrow_to_exactly_the_matching_rows(served, stored):
    team = stored["team_abbr"].iloc[0]
    player = int(stored["player_id"].iloc[0])
    rows = get(served, f"/v1/predictions?game_date={DAY}&prop=rebounds&team={team.lower()}&system=all").json()[
        "predictions"]
    want = stored[(stored["prop"] == "rebounds") & (stored["team_abbr"] == team)]
    assert len(rows) == len(want) and {r["system"] for r in rows} == set(SYSTEM_NAMES)
    assert all(r["team_abbr"] == team and r["prop"] == "rebounds" for r in rows)
    mine = get(served, f"/v1/predictions?game_date={DAY}&player_id={player}&system=xgboost").json()["predictions"]
    assert sorted(r["prop"] for r in mine) == sorted(PROP_NAMES) and {r["player_id"] for r in mine} == {player}


@pytest.mark.parametrize("query, field", [
    ("", "game_date"), ("game_date=2024-13-01", "game_date"), ("game_date=20240116", "game_date"),
    (f"game_date={DAY}&prop=steals", "prop"), (f"game_date={DAY}&player_id=12a", "player_id"),
    (f"game_date={DAY}&player_id=-4", "player_id"), (f"game_date={DAY}&team=%3Cscript%3E", "team"),
    (f"game_date={DAY}&system=xgboost'--", "system"), (f"game_date={DAY}&sytem=xgboost", "sytem"),
    (f"game_date={DAY}&=", "<query>"), (f"=x&game_date={DAY}", "<query>")])
def test_bad_queries_are_400_naming_the_field(served, query, field):
    resp = get(served, f"/v1/predictions?{query}")
    assert resp.status_code == 400 and resp.json()["field"] == field, resp.text


def test_unknown_dates_and_players_are_404(served):
    assert get(served, "/v1/predictions?game_date=2024-01-17").status_code == 404
    assert get(served, "/v1/players/999999").status_code == 404
    assert get(served, "/v1/players/abc").status_code == 400
    resp = post(served, "/v1/predict/points", {"game_date": str(DAY), "player_id": 999999})
    assert resp.status_code == 404 and "999999" in resp.json()["error"]
    resp = post(served, "/v1/predict/points", {"game_date": "2024-01-17", "player_id": 2544})
    assert resp.status_code == 404 and "2024-01-17" in resp.json()["error"]


@pytest.mark.parametrize("method, path", [("get", f"/v1/predictions?game_date={DAY}"), ("get", "/v1/players/2544"),
                                          ("get", "/v1/accuracy"), ("post", "/v1/predict/points"),
                                          ("get", "/openapi.json"), ("get", "/metrics")])
def test_no_credentials_no_answer(served, method, path):
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}):
        resp = requests.request(method, served.urls["console"] + path, headers=headers, timeout=30,
                                allow_redirects=False)
        assert resp.status_code == 401 and resp.json() == {"error": "missing or invalid credentials"}


def test_a_players_predictions_come_with_what_he_did(served, stored):
    box = served.warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, DAY, DAY)
    played = box[box["played"].astype(bool) & box["player_id"].isin(stored["player_id"])]
    line = played.sort_values("player_id").iloc[0]
    player = int(line["player_id"])
    answer = get(served, f"/v1/players/{player}").json()
    rows = [r for r in answer["predictions"] if r["game_date"] == str(DAY)]
    assert len(rows) == len(SYSTEM_NAMES) * len(PROP_NAMES)
    actual = {r["prop"]: r["actual"] for r in rows}
    assert actual["points"] == line["pts"] and actual["pra"] == line["pts"] + line["reb"] + line["ast"]
    assert answer["player_name"] == line["player_name"]


def test_accuracy_is_the_graded_mae_beside_the_ewma_baseline(served, stored):
    answer = get(served, f"/v1/accuracy?start={DAY}&end={DAY}&prop=points").json()
    box = served.warehouse.read(tables.PLAYER_GAME_SUMMARY.fqn, DAY, DAY)
    ens = stored[(stored["system"] == "ensemble") & (stored["prop"] == "points")].merge(
        box[box["played"].astype(bool)][["player_id", "pts"]], on="player_id")
    total = {t["system"]: t for t in answer["total"]}
    assert total["ensemble"]["n"] == len(ens)
    assert total["ensemble"]["mae"] == pytest.approx((ens["predicted"] - ens["pts"]).abs().mean())
    feats = served.warehouse.read(tables.ML_FEATURE_STORE.fqn, DAY, DAY)[["player_id", "pts_ewma"]]
    ewma = ens.merge(feats, on="player_id")
    assert total["ewma (baseline)"]["mae"] == pytest.approx((ewma["pts_ewma"] - ewma["pts"]).abs().mean())
    assert get(served, "/v1/accuracy?start=2024-02-01&end=2024-01-01").json()["field"] == "start"
    early = get(served, "/v1/accuracy?end=0001-01-05")   # the default window would start before year 1
    assert early.status_code == 200 and early.json()["daily"] == [] and early.json()["start"] == "0001-01-01"


def test_a_realtime_prediction_is_the_batch_row_for_that_player_date(served, stored):
    """Same code, same features, same models: the synchronous answer equals the batch's rows."""
    player = int(stored["player_id"].iloc[3])
    before = served.warehouse.count(tables.PREDICTIONS.fqn)
    resp = post(served, "/v1/predict/assists", {"game_date": str(DAY), "player_id": player, "line": 4.5})
    assert resp.status_code == 200, resp.text
    got = {r["system"]: r for r in resp.json()["predictions"]}
    batch = stored[(stored["player_id"] == player) & (stored["prop"] == "assists")].set_index("system")
    assert set(got) == set(SYSTEM_NAMES)
    for system, row in batch.iterrows():
        assert got[system]["predicted"] == pytest.approx(row["predicted"], abs=1e-9), system
        assert got[system]["p90"] == pytest.approx(row["p90"], abs=1e-9), system
        assert got[system]["q95"] == pytest.approx(row["q95"], abs=1e-9), system
        assert got[system]["q05"] <= got[system]["p50"] <= got[system]["q95"], system
        assert got[system]["line"] == 4.5 and got[system]["recommendation"] in ("OVER", "UNDER", "PASS")
    assert served.warehouse.count(tables.PREDICTIONS.fqn) == before, "an answer, not a batch: nothing is written"


@pytest.mark.parametrize("path, body, status, field", [
    ("/v1/predict/steals", {"game_date": str(DAY), "player_id": 2544}, 404, "prop"),
    ("/v1/predict/points", {"game_date": str(DAY)}, 400, "player_id"),
    ("/v1/predict/points", {"game_date": "16/01/2024", "player_id": 2544}, 400, "game_date"),
    ("/v1/predict/points", {"game_date": str(DAY), "player_id": "2544"}, 400, "player_id"),
    ("/v1/predict/points", {"game_date": str(DAY), "player_id": 2544, "line": -3}, 400, "line"),
    ("/v1/predict/points", {"game_date": str(DAY), "player_id": 2544, "systems": ["magic"]}, 400, "systems"),
    ("/v1/predict/points", {"game_date": str(DAY), "player_id": 2544, "extra": 1}, 400, "extra"),
    ("/v1/predict/points", [1, 2], 400, "<body>")])
def test_bad_prediction_requests_name_the_field(served, path, body, status, field):
    resp = post(served, path, body)
    assert resp.status_code == status and resp.json()["field"] == field, resp.text


def test_a_prediction_request_must_be_json(served):
    resp = requests.post(served.urls["console"] + "/v1/predict/points", data="game_date=x", timeout=30,
                         headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 415


def test_answers_are_json_numbers_not_nan(served):
    text = get(served, f"/v1/predictions?game_date={DAY}&system=all").text
    assert "NaN" not in text and pd.io.json.ujson_loads(text)["predictions"]


def test_a_newer_batch_with_a_new_model_version_shows_instead_of_the_old_rows(served, stored):
    """The model version is part of the key, so a forced batch under a new champion writes
    rows beside the old ones; consumers see one row per player, system and prop: the latest."""
    from shared.versions import latest as newest

    old = stored[stored["prop"] == "points"]
    new = old.assign(model_version="v-next", predicted=old["predicted"] + 1,
                     created_at=old["created_at"] + pd.Timedelta(minutes=5))
    shown = newest(pd.concat([new, old]))
    assert len(shown) == len(old) and (shown["model_version"] == "v-next").all()
    assert shown["predicted"].sum() == pytest.approx(new["predicted"].sum())
