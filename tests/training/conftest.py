from __future__ import annotations

import shutil
from datetime import date

import pytest

from modeling.train import Windows
from processors.backfill import backfill
from shared.adapters.duckdb_warehouse import DuckDBWarehouse

# within the bundled 2023-24 sample: train on the first half, validate on the second
SAMPLE_WINDOWS = Windows(date(2023, 10, 24), date(2024, 1, 31), date(2024, 2, 1), date(2024, 4, 14))


@pytest.fixture(scope="session")
def feature_db(sample_db, tmp_path_factory):
    """The sample season backfilled through every processor, once."""
    path = tmp_path_factory.mktemp("features") / "w.duckdb"
    shutil.copy(sample_db, path)
    wh = DuckDBWarehouse(path)
    backfill(wh, date(2023, 10, 1), date(2024, 4, 30))
    wh.close()
    return path


@pytest.fixture
def feature_warehouse(feature_db, tmp_path):
    target = tmp_path / "w.duckdb"
    shutil.copy(feature_db, target)
    wh = DuckDBWarehouse(target)
    yield wh
    wh.close()
