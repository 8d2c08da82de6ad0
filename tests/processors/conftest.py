from __future__ import annotations

import shutil

import pytest

from shared.adapters.duckdb_warehouse import DuckDBWarehouse


@pytest.fixture
def fresh_warehouse(sample_db, tmp_path):
    """A private copy of the sample warehouse (copying beats re-importing)."""
    def make(name: str = "w.duckdb") -> DuckDBWarehouse:
        target = tmp_path / name
        shutil.copy(sample_db, target)
        return DuckDBWarehouse(target)
    return make
