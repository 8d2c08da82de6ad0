from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from devsupport.feed_sources import Sources
from ingest.importer import import_files
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from tests.conftest import SAMPLE
from tests.support.prepared import built_once, copy_of

HISTORY_END = date(2024, 1, 14)


@pytest.fixture(scope="session")
def season() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def history_db(tmp_path_factory, season):
    """A warehouse holding 2023-24 through 2024-01-14, built once a run."""
    def build(folder):
        season[season["GAME_DATE"] <= HISTORY_END.isoformat()].to_csv(folder / "history.csv", index=False)
        wh = DuckDBWarehouse(folder / "warehouse.duckdb")
        import_files(wh, [folder / "history.csv"])
        wh.close()
        return folder / "warehouse.duckdb"

    return built_once(tmp_path_factory, "ingest-history", build)


@pytest.fixture
def home(tmp_path, history_db):
    """A PIPELINE_HOME with that warehouse and an empty object store."""
    home = tmp_path / "home"
    copy_of(history_db, home / "warehouse.duckdb")
    return home


@pytest.fixture
def wh(home):
    wh = DuckDBWarehouse(home / "warehouse.duckdb")
    yield wh
    wh.close()


@pytest.fixture
def store(home):
    return DirectoryStore(home / "objects")


@pytest.fixture
def sources():
    with Sources() as served:
        yield served


class Clock:
    """A clock and a sleep that advance together, so waits are observed, never slept."""

    def __init__(self, at: datetime):
        self.at, self.slept = at, []

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at = self.at + pd.Timedelta(seconds=seconds).to_pytimedelta()


@pytest.fixture
def clock():
    return Clock(datetime(2024, 1, 16, 11, 0, tzinfo=UTC))
