from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from werkzeug.serving import make_server

from orchestrator import state as st
from tests.orchestrator.conftest import ALL, DAY, completion, post_binary
from tests.support.fake_coordinator import FakeCoordinator

EASTERN = ZoneInfo("America/New_York")


def deadline_client(wire):
    return wire.app("check_deadlines", "http").test_client()


def test_quorum_past_deadline_triggers_degraded_with_missing_processors(wire, app):
    with FakeCoordinator() as coord:
        wire(coord.url)
        client = app.test_client()
        for p in ("player_daily_cache", "ml_feature_store", "team_defense_zone_analysis"):
            post_binary(client, completion(p))
        assert coord.calls == []
        resp = deadline_client(wire).get("/?date=2024-01-15")
    assert resp.status_code == 200 and resp.json["results"] == {"2024-01-15": "triggered_degraded"}
    assert coord.calls[0]["degraded"] is True
    assert coord.calls[0]["missing_processors"] == ["player_shot_zone_analysis", "player_composite_factors"]


def test_no_completions_for_a_date_with_games_raises_an_alarm(wire, caplog):
    with FakeCoordinator() as coord:
        wire(coord.url, has_games=lambda d: True)
        with caplog.at_level(logging.ERROR):
            resp = deadline_client(wire).get("/?date=2024-01-15")
    assert resp.json["results"] == {"2024-01-15": "alarm_no_completions"}
    alarms = [r for r in caplog.records if getattr(r, "alert", None) == "phase4_no_completions"]
    assert len(alarms) == 1 and coord.calls == []


def test_missing_required_processor_is_an_alarm_not_a_trigger(wire, app, caplog):
    with FakeCoordinator() as coord:
        wire(coord.url)
        post_binary(app.test_client(), completion("team_defense_zone_analysis"))
        with caplog.at_level(logging.ERROR):
            resp = deadline_client(wire).get("/?date=2024-01-15")
    assert resp.json["results"] == {"2024-01-15": "alarm_incomplete"} and coord.calls == []
    assert any(getattr(r, "alert", None) == "phase4_incomplete" for r in caplog.records)


def test_dates_without_games_are_quiet(wire, caplog):
    with FakeCoordinator() as coord:
        wire(coord.url, has_games=lambda d: False)
        with caplog.at_level(logging.ERROR):
            resp = deadline_client(wire).get("/?date=2024-07-15")
    assert resp.json["results"] == {"2024-07-15": "no_games"} and not caplog.records


@pytest.mark.parametrize("passed", [False, True])
def test_the_scheduled_check_looks_at_today_only_once_its_deadline_has_passed(wire, passed):
    """Cloud Scheduler calls every 15 minutes; today's deadline is before its first tip-off
    (shared/timetable.py), so a call before it must not raise today's alarm."""
    asked = []   # the day the function took for today

    def deadline(day):
        asked.append(day)
        return datetime.now(EASTERN) + (timedelta(hours=-1) if passed else timedelta(hours=1))

    with FakeCoordinator() as coord:
        wire(coord.url, has_games=lambda d: False, deadline=deadline)
        resp = deadline_client(wire).get("/")
    today = asked[0]
    expected = {str(today), str(today - timedelta(days=1))} if passed else {str(today - timedelta(days=1))}
    assert resp.status_code == 200 and set(resp.json["results"]) == expected


def test_bad_date_parameter_is_a_400_naming_it(wire):
    with FakeCoordinator() as coord:
        wire(coord.url)
        resp = deadline_client(wire).get("/?date=yesterday")
    assert resp.status_code == 400 and "got 'yesterday'" in resp.json["error"] and resp.json["field"] == "date"


@pytest.mark.emulator
def test_pubsub_push_subscription_delivers_to_the_function(pubsub_emulator, wire, tmp_path):
    from shared import topology
    from shared.adapters.pubsub_publisher import PubSubPublisher, ensure_topology

    app = wire.app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with FakeCoordinator() as coord:
            orch = wire(coord.url)
            project = f"orch-{uuid.uuid4().hex[:8]}"
            ensure_topology(project, {"orchestrator": f"http://127.0.0.1:{server.server_port}"})
            publisher = PubSubPublisher(project)
            for p in ALL:
                publisher.publish(topology.PRECOMPUTE_COMPLETE, completion(p))
            assert coord.started.wait(timeout=90)
            state_done = lambda: st.load(orch.store, DAY)[0].trigger.state == "triggered"  # noqa: E731
            for _ in range(600):
                if state_done():
                    break
                threading.Event().wait(0.05)   # polling the stored state, bounded
        assert len(coord.calls) == 1 and state_done()
    finally:
        server.shutdown()
