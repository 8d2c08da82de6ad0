"""The in-process local stack's helpers: the sample date, one night's chain, its rows, a
running batch for requests a test posts to the worker itself."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

from processors.runner import nightly
from shared import tables
from shared.batch_docs import BatchDoc

DAY = date(2024, 1, 16)      # a real date of the sample: 97 scheduled players
TOKEN = "test-token-0123456789"


def stack_at(home: Path, warehouse: Path, **options):
    """The embedded default in-process on a copy of ``warehouse``, with deliveries driven by
    bus.drain() (no sleeps); the caller stops it."""
    from bin import stack as local
    from shared.config import Settings

    home.mkdir(exist_ok=True)
    shutil.copy(warehouse, home / "warehouse.duckdb")
    settings = Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN})
    return local.start(settings, start_dispatcher=False, **options)


def run_chain(st, day: date = DAY):
    events = nightly(st.warehouse, st.bus, day)
    assert all(e.status == "success" for e in events)
    st.bus.drain()
    from coordinator.service import status_for_date

    return status_for_date(st.coordinator, day)


def predictions(st, batch_id=None):
    frame = st.warehouse.read(tables.PREDICTIONS.fqn, *tables.EVERY_DATE)
    return frame if batch_id is None else frame[frame["batch_id"] == batch_id]


def open_batch(batches, day: date, players: list[int], batch_id: str = "b" * 32) -> str:
    """A running batch document, written by the coordinator's own batch store (``batches``), for
    requests a test posts to the worker itself (the worker serves only requests of a running
    batch that holds their date and player)."""
    batches.put_batch(BatchDoc(batch_id=batch_id, game_date=day, players=players, expected=len(players),
                               state="running", started_at=datetime(2024, 1, 16, 12), finished_at=None,
                               correlation_id="corr-1"))
    batches.set_running(batch_id, True)
    return batch_id
