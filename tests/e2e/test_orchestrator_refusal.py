"""The orchestrator does not retry what can never succeed: a 4xx from the coordinator's
/start (here: processors reported success for a date whose feature store is empty) is
recorded on the date with its reason, alerted once, and the event is acknowledged."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from orchestrator import state
from shared.catalogue import PROCESSOR_NAMES
from shared.messages import ProcessorCompleted
from tests.support.stack import DAY


def completion(name: str) -> ProcessorCompleted:
    now = datetime.now(UTC)
    return ProcessorCompleted(processor=name, game_date=DAY, status="success", rows=1, run_id=f"run-{name}",
                              started_at=now, finished_at=now, error="x" * 900_000 if name == "ml_feature_store"
                              else None)


def test_a_coordinator_4xx_is_recorded_not_retried(make_stack, caplog):
    st = make_stack()          # the sample's box scores and schedule, no processor output for DAY
    orchestrator = st.orchestrator.orchestrator
    with caplog.at_level(logging.ERROR):
        outcomes = [orchestrator.handle(completion(name)) for name in PROCESSOR_NAMES]
        again = orchestrator.handle(completion("player_daily_cache").model_copy(update={"run_id": "rerun"}))
    assert outcomes[-1] == "refused" and again != "refused"
    doc, _ = state.load(st.store, DAY)
    assert doc.trigger.state == "refused" and "400" in doc.trigger.last_error
    assert "no feature-store rows" in doc.trigger.last_error and len(doc.trigger.last_error) <= 500
    alerts = [r for r in caplog.records if getattr(r, "alert", None) == "orchestrator_start_refused"]
    assert len(alerts) == 1
    assert orchestrator.check_deadlines([DAY], lambda day: True) == {str(DAY): "already_refused"}
    assert len(st.store.read(next(k for k in st.store.list("orchestration/") if str(DAY) in k)).data) < 20_000
