"""News before tip-off: a night predicted from the 1 pm injury report; the 5 pm report rules a
starter Out; a refresh withdraws him, re-predicts his team as version 2 (parent and reason
kept), leaves every other team's rows and batch alone, names a game that had tipped, and
starts nothing the second time."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from bin.stack import inline
from coordinator import news
from coordinator.refresh import refresh
from coordinator.requests import StartRequest
from coordinator.service import start as start_batch
from ingest.importer import import_files
from ingest.importer.injuries import import_injuries
from ingest.importer.lines import import_lines
from ingest.importer.schedule import read_schedule, write_schedule
from modeling.grading import grade, graded_versions
from processors.runner import nightly
from shared import tables, versions
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.config import Settings
from shared.distribution import of_row
from shared.pricing import judge
from shared.timetable import EASTERN
from tests.slate.conftest import history_through
from tests.support.cli import invoke as run
from tests.support.feeds import event_odds, games_on, schedule_feed, write_json
from tests.support.prepared import built_once, copy_of

DAY = date(2024, 1, 15)
STARTER, STARTER_TEAM = 1628991, "MEM"        # Jaren Jackson Jr.
EARLY_PLAYER, EARLY_TEAM = 203992, "ATL"      # Bogdan Bogdanovic: his game tips at noon ET
REPORT = "player_id,player_name,team,status,as_of,reason\n"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 1, 15, hour, minute, tzinfo=EASTERN)


@pytest.fixture(scope="module")
def first_batch(tmp_path_factory, season):
    """History through the 14th, the 15th's schedule (ATL's game at noon, the rest 7:30 pm),
    the 1 pm report (Bogdanovic Out), the processors and the first batch: a home built once a
    run, and that batch's id."""
    def build(folder):
        home = folder / "home"
        home.mkdir()
        wh = DuckDBWarehouse(home / "warehouse.duckdb")
        import_files(wh, [history_through(season, date(2024, 1, 14), folder / "history.csv")])
        early = next(g["game_id"] for g in games_on(season, DAY) if EARLY_TEAM in (g["home"], g["away"]))
        write_json(folder / "s.json", schedule_feed(season, [DAY], **{early: {
            "gameDateTimeEst": f"{DAY}T12:00:00Z", "gameTimeEst": "1900-01-01T12:00:00Z",
            "gameStatusText": "12:00 pm ET"}}))
        write_schedule(wh, read_schedule(folder / "s.json"))
        (folder / "r1.csv").write_text(REPORT + f"{EARLY_PLAYER},,,Out,2024-01-15T13:00,Rest\n")
        import_injuries(wh, folder / "r1.csv")
        assert {e.status for e in nightly(wh, None, DAY)} == {"success"}
        code, body = start_batch(_chain(home, wh).coordinator, StartRequest(game_date=DAY, systems=["ensemble"],
                                                                            props=["points"]), DAY)
        assert code == 202, body
        wh.close()
        (folder / "batch_id").write_text(body["batch_id"])
        return home

    home = built_once(tmp_path_factory, "news-first-batch", build)
    return home, (home.parent / "batch_id").read_text()


def _chain(home, wh):
    settings = Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH": "off"})
    return inline(settings, wh, DirectoryStore(home / "objects"))


@pytest.fixture
def night(tmp_path, first_batch):
    """A private copy of that home, opened: its warehouse, the inline chain over it, the first
    batch's id and the test's folder."""
    built, first = first_batch
    wh = DuckDBWarehouse(copy_of(built, tmp_path / "home") / "warehouse.duckdb")
    yield wh, _chain(tmp_path / "home", wh), first, tmp_path
    wh.close()   # closing twice is harmless: a test that hands the file to the CLI closes it first


def rows(wh) -> pd.DataFrame:
    return wh.read(tables.PREDICTIONS.fqn, DAY, DAY)


def test_a_later_report_re_predicts_the_starters_team_once(night, season):
    wh, chain, first, tmp_path = night
    before = rows(wh)
    assert set(before["prediction_version"]) == {1} and set(before["batch_id"]) == {first}
    assert refresh(chain.coordinator, DAY, at(16))["state"] == "current"     # no report after the batch's

    # 5 pm: the starter is Out, and Bogdanovic (whose game tipped at noon) is back
    (tmp_path / "r2.csv").write_text(REPORT + f"{STARTER},,,Out,2024-01-15T17:00,Ankle\n")
    import_injuries(wh, tmp_path / "r2.csv")
    done = refresh(chain.coordinator, DAY, at(18))
    assert done["state"] == "refreshed", done
    assert done["teams"] == [STARTER_TEAM] and [g["team_abbr"] for g in done["tipped"]] == [EARLY_TEAM]
    assert f"{EARLY_TEAM} tipped at 2024-01-15 12:00 PM ET: left alone" in done["message"]
    reason = "injury report 05:00 PM: Jaren Jackson Jr. Out"
    assert done["reason"] == reason and done["withdrawn"] == {str(STARTER): reason}

    after = rows(wh)
    served = versions.latest(after)
    assert STARTER not in set(served["player_id"])                                       # withdrawn
    gone = after[after["player_id"] == STARTER]
    assert set(gone["withdrawn_reason"]) == {reason} and set(gone["prediction_version"]) == {1}
    mem = served[served["team_abbr"] == STARTER_TEAM]
    assert len(mem) >= 8 and set(mem["prediction_version"]) == {2}
    assert set(mem["batch_id"]) == {done["batch_id"]} and set(mem["parent_batch_id"]) == {first}
    assert set(mem["version_reason"]) == {reason} and set(mem["predicted_as_of"]) == {pd.Timestamp(at(18))}
    # tonight's availability moved them: a starter's points go to his teammates
    was = before.set_index("player_id")["predicted"]
    moved = mem.set_index("player_id")["predicted"] - was.reindex(mem["player_id"]).to_numpy()
    assert (moved.abs() > 0.01).sum() >= len(mem) // 2 and moved.mean() > 0.1, moved.describe()
    others = served[served["team_abbr"] != STARTER_TEAM].sort_values("player_id").reset_index(drop=True)
    untouched = before[(before["team_abbr"] != STARTER_TEAM)].sort_values("player_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(others, untouched)                    # rows and batch exactly as they were
    history = versions.every_version(after)
    old = history[(history["team_abbr"] == STARTER_TEAM) & (history["player_id"] != STARTER)]
    assert set(old["version_state"]) == {"latest", "superseded"} and len(old) == 2 * len(mem)
    assert set(history.loc[history["player_id"] == STARTER, "version_state"]) == {"withdrawn"}

    status = chain.coordinator.batches.batch(done["batch_id"])[0]
    assert status.state == "finished" and status.parent_batch_id == first
    assert len(news.effects(chain.coordinator.batches.store, DAY)) == 1

    again = refresh(chain.coordinator, DAY, at(18, 30))                  # the same report: nothing starts
    assert again["state"] == "current" and again["batch_id"] is None
    import_injuries(wh, tmp_path / "r2.csv")                             # re-imported: still nothing
    assert refresh(chain.coordinator, DAY, at(18, 45))["state"] == "current"
    assert len(rows(wh)) == len(after)

    # the next morning: graded on the last version made before tip-off; one made after it is no prediction
    late = after[after["team_abbr"] == STARTER_TEAM].assign(prediction_version=3,
                                                            predicted_as_of=pd.Timestamp("2024-01-16T03:00Z"))
    chosen = graded_versions(wh, pd.concat([after, late]), DAY, DAY)
    assert set(chosen.loc[chosen["team_abbr"] == STARTER_TEAM, "prediction_version"]) == {1, 2}   # 1: withdrawn
    season[season["GAME_DATE"] == DAY.isoformat()].to_csv(tmp_path / "night.csv", index=False)
    import_files(wh, [tmp_path / "night.csv"])
    result = grade(wh, DAY, DAY)
    graded = wh.read(tables.PREDICTION_ACCURACY.fqn, DAY, DAY)
    assert not graded[["player_id", "system", "prop"]].duplicated().any()
    assert set(graded.loc[graded["player_id"].isin(mem["player_id"]), "prediction_version"]) == {2}
    assert result.versions_graded == int((graded["prediction_version"] == 2).sum()) > 0

    # a forced batch on a date news moved comes out on top of every version
    code, body = start_batch(chain.coordinator, StartRequest(game_date=DAY, systems=["ensemble"], props=["points"],
                                                             force=True), DAY)
    assert code == 202
    served = versions.latest(rows(wh))
    assert set(served["batch_id"]) == {body["batch_id"]} and set(served["prediction_version"]) == {3}


def test_no_batch_yet_or_one_still_running_starts_nothing(night):
    wh, chain, first, tmp_path = night
    assert refresh(chain.coordinator, date(2024, 1, 16), at(18))["state"] == "no_batch"
    (tmp_path / "r2.csv").write_text(REPORT + f"{STARTER},,,Out,2024-01-15T17:00,Ankle\n")
    import_injuries(wh, tmp_path / "r2.csv")
    chain.coordinator.batches.update_batch(first, lambda d: setattr(d, "state", "running"))
    waiting = refresh(chain.coordinator, DAY, at(18))
    assert waiting["state"] == "waiting" and first in waiting["message"]
    assert news.effects(chain.coordinator.batches.store, DAY) == []          # nothing claimed: read once it ends
    chain.coordinator.batches.update_batch(first, lambda d: setattr(d, "state", "finished"))
    assert refresh(chain.coordinator, DAY, at(18))["state"] == "refreshed"


def test_the_cli_refreshes_and_exports_the_latest_or_every_version(night):
    wh, _, first, tmp_path = night
    home = tmp_path / "home"
    (tmp_path / "r2.csv").write_text(REPORT + f"{STARTER},,,Out,2024-01-15T17:00,Ankle\n")
    import_injuries(wh, tmp_path / "r2.csv")
    wh.close()                                                                   # the CLI's turn to write
    bad = run("refresh", "--date", DAY, "--at", "five pm", home=home)
    assert bad.returncode == 2 and "--at 'five pm' is not a date and time" in bad.stdout + bad.stderr
    done = run("refresh", "--date", DAY, "--at", "2024-01-15T18:00", home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "injury report 2024-01-15 05:00 PM ET: 2 status change(s); batch " in done.stdout
    assert "ATL tipped at 2024-01-15 12:00 PM ET: left alone" in done.stdout
    assert "Jaren Jackson Jr." in done.stdout and "withdrawn" in done.stdout
    again = run("refresh", "--date", DAY, "--at", "2024-01-15T18:30-05:00", home=home)
    assert again.returncode == 0 and "already read; nothing new" in again.stdout

    assert run("export-predictions", "--start", DAY, "--end", DAY, "--out", tmp_path / "now.csv",
               home=home).returncode == 0
    assert run("export-predictions", "--start", DAY, "--end", DAY, "--out", tmp_path / "all.csv", "--all-versions",
               home=home).returncode == 0
    served, every = pd.read_csv(tmp_path / "now.csv"), pd.read_csv(tmp_path / "all.csv")
    assert STARTER not in set(served["player_id"]) and not served[["game_date", "player_id", "prop"]].duplicated().any()
    assert set(served.loc[served["team_abbr"] == STARTER_TEAM, "prediction_version"]) == {2}
    starter = every[every["player_id"] == STARTER]
    assert set(starter["version_state"]) == {"withdrawn"}
    assert set(starter["withdrawn_reason"]) == {"injury report 05:00 PM: Jaren Jackson Jr. Out"}
    mem = every[(every["team_abbr"] == STARTER_TEAM) & (every["player_id"] != STARTER)]
    assert mem.groupby("prediction_version")["version_state"].agg(set).to_dict() == {1: {"superseded"},
                                                                                     2: {"latest"}}
    assert set(mem.loc[mem["prediction_version"] == 1, "batch_id"]) == {first}


def test_a_moved_line_re_prices_the_served_rows_without_re_predicting(night, season):
    wh, chain, first, tmp_path = night
    before = rows(wh).set_index("player_name")
    for n, (line, updated) in enumerate(((31.5, "2024-01-15T22:00:00Z"), (33.5, "2024-01-15T23:30:00Z"))):
        write_json(tmp_path / f"odds{n}.json", event_odds(season, DAY, {"Shai Gilgeous-Alexander": line,
                                                                       "Trae Young": 27.5}, updated=updated))
        import_lines(wh, tmp_path / f"odds{n}.json")
        done = refresh(chain.coordinator, DAY, at(17, 30) if n == 0 else at(18, 45))
        assert done["repriced"] == 1 and "1 row(s) re-priced at lines posted since" in done["message"], done
        sga = rows(wh).set_index("player_name").loc["Shai Gilgeous-Alexander"]
        assert sga["line"] == line and sga["line_as_of"] == pd.Timestamp(updated)
        assert sga["repriced_at"] == pd.Timestamp(at(17, 30) if n == 0 else at(18, 45))
        assert sga["p_over"] == pytest.approx(judge(sga["p10"], sga["p50"], sga["p90"], line, 1 + 100 / 115,
                                                    1 + 100 / 105, quantiles=of_row(sga))["p_over"])
        assert sga["recommendation"] in ("OVER", "UNDER", "PASS") and sga["market_p_over"] > 0.5
    after = rows(wh).set_index("player_name")
    kept = ["predicted", "p10", "p90", "batch_id", "prediction_version", "created_at"]
    pd.testing.assert_frame_equal(after[kept].sort_index(), before[kept].sort_index())   # nothing re-predicted
    assert pd.isna(after.loc["Trae Young", "line"])                            # ATL had tipped at noon
    assert refresh(chain.coordinator, DAY, at(19))["repriced"] == 0            # no newer line: nothing


def test_the_console_shows_the_news_and_the_api_every_version(night):
    from console.app import create_app
    from console.main import access_from_settings, build_deps
    from shared.coordinator_client import CoordinatorClient

    wh, chain, first, tmp_path = night
    (tmp_path / "r2.csv").write_text(REPORT + f"{STARTER},,,Out,2024-01-15T17:00,Ankle\n")
    import_injuries(wh, tmp_path / "r2.csv")
    done = refresh(chain.coordinator, DAY, at(18))
    token = "console-token-0123456789"
    settings = Settings.from_env({"PIPELINE_HOME": str(tmp_path / "home"), "PIPELINE_AUTH_TOKEN": token})
    deps = build_deps(settings, wh, chain.coordinator.batches.store, chain.worker,
                      CoordinatorClient("http://127.0.0.1:9", lambda: token))
    client = create_app(deps, access_from_settings(settings)).test_client()
    assert client.post("/login", data={"name": "ann", "token": token, "next": "/slate"}).status_code == 302

    tonight = client.get(f"/tonight?date={DAY}").get_data(as_text=True)
    assert "report 2024-01-15 17:00 ET" in tonight and f"batch <code>{done['batch_id']}</code> re-predicted" in tonight
    assert "Jaren Jackson Jr." in tonight and "withdrawn" in tonight and "tipped: left alone" in tonight
    slate = client.get(f"/slate?date={DAY}&prop=points").get_data(as_text=True)
    assert 'id="withdrawn"' in slate and "injury report 05:00 PM: Jaren Jackson Jr. Out" in slate
    assert slate.count(" -&gt; ") >= 8 and "Jaren Jackson Jr.</td>" not in slate     # moved rows; he is gone

    api = lambda q: client.get(f"/v1/predictions?game_date={DAY}{q}").get_json()["predictions"]  # noqa: E731
    latest, every = api(""), api("&versions=all")
    assert STARTER not in {r["player_id"] for r in latest} and len(every) > len(latest)
    gone = [r for r in every if r["player_id"] == STARTER]
    assert {r["version_state"] for r in gone} == {"withdrawn"} and gone[0]["withdrawn_reason"] == done["reason"]
    assert client.get(f"/v1/predictions?game_date={DAY}&versions=some").status_code == 400
