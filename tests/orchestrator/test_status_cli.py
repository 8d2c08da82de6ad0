from __future__ import annotations

from orchestrator.service import Orchestrator
from shared.adapters.directory_store import DirectoryStore
from tests.orchestrator.conftest import ALL, completion
from tests.support.cli import invoke


class Accepting:
    def __init__(self):
        self.bodies = []

    def start(self, body):
        self.bodies.append(body)
        return {"batch_id": "b-42"}


def test_status_shows_done_failed_missing_and_trigger(tmp_path):
    orch = Orchestrator(DirectoryStore(tmp_path / "objects"), Accepting())
    for p in ALL:
        orch.handle(completion(p))
    orch.handle(completion(ALL[0], status="failed", run_id="r2", error="boom"))
    from datetime import date
    orch.handle(completion(ALL[1], day=date(2024, 1, 16), status="no_data"))
    out = invoke("orchestration-status", home=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    jan15 = next(line for line in lines if "2024-01-15" in line)
    jan16 = next(line for line in lines if "2024-01-16" in line)
    assert "5/5" in jan15 and "triggered" in jan15 and "b-42" in jan15
    assert "0/5" in jan16 and "player_shot_zone_analysis (no_data)" in jan16 and "pending" in jan16
    assert "2 date(s)" in out.stdout


def test_any_start_failure_releases_the_claim_so_the_retry_can_trigger(tmp_path):
    import pytest

    from orchestrator import state as st

    class NoIdentityThenFine(Accepting):
        def start(self, body):
            if not self.bodies:
                self.bodies.append("failed")
                raise RuntimeError("no metadata server")
            return super().start(body)

    starter = NoIdentityThenFine()
    orch = Orchestrator(DirectoryStore(tmp_path / "objects"), starter)
    for p in ALL[:-1]:
        orch.handle(completion(p))
    with pytest.raises(RuntimeError):
        orch.handle(completion(ALL[-1]))
    from tests.orchestrator.conftest import DAY
    assert st.load(orch.store, DAY)[0].trigger.state == "pending"
    assert orch.handle(completion(ALL[-1])) == "triggered"      # the redelivery
