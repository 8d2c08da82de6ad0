"""The fault-injection suite of `bin/bench faults` at CI size: one date, every fault.
Each fault must leave every batch complete with no duplicate and no lost row, and be
logged at the severity its outcome deserves (retried: WARNING; dropped or refused: ERROR)."""
from __future__ import annotations

import pytest

from devsupport.faults import SMALL_DAYS, run_all, table
from shared.catalogue import ROWS_PER_PLAYER

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def rows():
    found = run_all(SMALL_DAYS)
    print(table(found))
    return {r.fault.split(":")[0].split(";")[0]: r for r in found}


def test_every_fault_leaves_complete_batches_without_duplicates_or_losses(rows):
    assert len(rows) == 9
    bad = {name: r for name, r in rows.items() if not r.ok}
    assert not bad, table(list(bad.values()))
    batches = [r for r in rows.values() if r.rows_expected]
    assert len(batches) >= 6 and all(r.rows_written == r.rows_expected > 0 for r in batches)


def test_tripled_delivery_announces_each_batch_once(rows):
    row = rows["every message delivered 3x, shuffled"]
    assert row.injected > 3 * row.rows_expected / ROWS_PER_PLAYER
    assert row.note.startswith("1 predictions-complete for 1 ")


def test_retried_faults_are_logged_once_each_as_warnings(rows):
    flaky = rows["worker answers 500 on 20% of requests, then recovers"]
    assert flaky.injected > 0 and f"WARNING shared.pubsub x{flaky.injected}" in flaky.logged
    merge = rows["transient warehouse error during consolidation"]
    assert "WARNING shared.pubsub x1" in merge.logged and merge.note == "1 predictions-complete"
    assert "ERROR" not in flaky.logged + merge.logged


def test_refused_models_and_poison_are_logged_as_errors_and_acked(rows):
    registry = rows["registry"]
    assert registry.note.startswith("4 models refused") and "ERROR worker.model_provider x4" in registry.logged
    poison = rows["poison"]
    assert "worker: 204,204,204,204; coordinator: 204,204,204,204" in poison.note
    assert "ERROR shared.pubsub x8" in poison.logged and poison.dead_lettered == 0
    assert poison.note.endswith("counted as poison: worker 4, coordinator 4")


def test_races_start_and_finalise_once(rows):
    assert rows["two coordinators finalising the same batch"].note == "1 won the claim, 1 predictions-complete"
    assert rows["50 threads racing on orchestrator CAS state"].note == "1 /start calls"


def test_stale_and_gameless_events_start_nothing(rows):
    row = rows["stale event"]
    assert "dropped" in row.note and "0 batches started" in row.note
    assert row.logged == "WARNING orchestrator x1"            # the stale event; no_data is routine


def test_a_killed_server_finishes_its_batch_after_restart(rows):
    row = rows["serving process SIGKILLed mid-batch, restarted"]
    killed_at, expected = row.note.split()[2].split("/")
    assert int(killed_at) < int(expected) and row.ok and row.rows_written > 0
