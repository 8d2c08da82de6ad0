from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bin.stack import inline
from coordinator.requests import StartRequest
from coordinator.service import start as start_batch
from ingest.importer import import_files
from processors.runner import nightly
from shared import tables
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.config import Settings
from tests.conftest import SAMPLE
from tests.support.feeds import season_frame


@pytest.fixture(scope="session")
def season() -> pd.DataFrame:
    return season_frame(SAMPLE)


def history_through(season: pd.DataFrame, last: date, path: Path) -> Path:
    """The season file cut at ``last``: what the warehouse holds the morning after."""
    season[season["GAME_DATE"] <= last.isoformat()].to_csv(path, index=False)
    return path


def warehouse_with(tmp_path: Path, name: str, *files: Path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(tmp_path / f"{name}.duckdb")
    import_files(wh, files)
    return wh


def predict(wh: DuckDBWarehouse, home: Path, day: date, request: StartRequest | None = None) -> pd.DataFrame:
    """The nightly processors and one batch for ``day``, in process; the batch's rows."""
    events = nightly(wh, None, day)
    assert {e.status for e in events} == {"success"}, [(e.processor, e.status, e.error) for e in events]
    settings = Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH": "off"})
    chain = inline(settings, wh, DirectoryStore(home / "objects"))
    code, body = start_batch(chain.coordinator, request or StartRequest(game_date=day), day)
    assert code == 202, body
    return wh.query(f"SELECT * FROM {tables.PREDICTIONS.fqn} WHERE batch_id = @b AND game_date = @d",
                    {"b": body["batch_id"], "d": day})
