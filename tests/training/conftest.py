from __future__ import annotations

from datetime import date

import pytest

from modeling.train import Windows
from processors.backfill import backfill
from tests.support.prepared import built_once, open_copy

# within the bundled 2023-24 sample: train on the first half, validate on the second
SAMPLE_WINDOWS = Windows(date(2023, 10, 24), date(2024, 1, 31), date(2024, 2, 1), date(2024, 4, 14))


@pytest.fixture(scope="session")
def feature_db(sample_db, tmp_path_factory):
    """The sample season backfilled through every processor, once a run."""
    def build(folder):
        wh = open_copy(sample_db, folder / "w.duckdb")
        backfill(wh, date(2023, 10, 1), date(2024, 4, 30))
        wh.close()
        return folder / "w.duckdb"

    return built_once(tmp_path_factory, "features", build)


@pytest.fixture
def feature_warehouse(feature_db, tmp_path):
    wh = open_copy(feature_db, tmp_path / "w.duckdb")
    yield wh
    wh.close()
