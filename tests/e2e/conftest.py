from __future__ import annotations

import shutil
from datetime import date

import pytest

from bin import stack as local
from processors.runner import nightly
from shared import tables
from shared.config import Settings

DAY = date(2024, 1, 16)      # a real date of the sample: 97 scheduled players


@pytest.fixture
def make_stack(sample_db, tmp_path):
    """The embedded default in-process, with deliveries driven by bus.drain() (no sleeps)."""
    stacks = []

    def make(name="home", **options):
        home = tmp_path / name
        home.mkdir()
        shutil.copy(sample_db, home / "warehouse.duckdb")
        settings = Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": "test-token-0123456789"})
        st = local.start(settings, start_dispatcher=False, **options)
        stacks.append(st)
        return st

    yield make
    for st in stacks:
        st.stop()


def run_chain(st, day: date = DAY):
    events = nightly(st.warehouse, st.bus, day)
    assert all(e.status == "success" for e in events)
    st.bus.drain()
    from coordinator.service import status_for_date

    return status_for_date(st.coordinator, day)


def predictions(st, batch_id=None):
    frame = st.warehouse.read(tables.PREDICTIONS.fqn, *tables.EVERY_DATE)
    return frame if batch_id is None else frame[frame["batch_id"] == batch_id]


def open_batch(st, day: date, players: list[int], batch_id: str = "b" * 32) -> str:
    """A running batch document for requests a test posts to the worker itself (the worker
    serves only requests of a running batch that holds their date and player)."""
    st.coordinator.batches.put_batch({"batch_id": batch_id, "game_date": str(day), "players": players,
                                      "expected": len(players), "state": "running", "started_at": "2024-01-16T12:00:00",
                                      "finished_at": None, "correlation_id": "corr-1"})
    st.coordinator.batches.set_running(batch_id, True)
    return batch_id
