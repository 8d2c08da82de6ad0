from __future__ import annotations

import shutil

import pytest

from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.importer import import_files
from tests.conftest import SAMPLE


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    """A warehouse file with the 2023-24 sample imported, built once per session."""
    path = tmp_path_factory.mktemp("sample") / "warehouse.duckdb"
    wh = DuckDBWarehouse(path)
    wh.ensure_tables()
    import_files(wh, [SAMPLE])
    wh.close()
    return path


@pytest.fixture
def fresh_warehouse(sample_db, tmp_path):
    """A private copy of the sample warehouse (copying beats re-importing)."""
    def make(name: str = "w.duckdb") -> DuckDBWarehouse:
        target = tmp_path / name
        shutil.copy(sample_db, target)
        return DuckDBWarehouse(target)
    return make
