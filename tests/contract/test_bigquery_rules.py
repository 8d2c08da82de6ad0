"""BigQuery's rules, checked where the emulator is lenient: a whole batch finalised on the
BigQuery adapter (bqemulator) through a recording client. Every statement on a table that
requires a partition filter carries a constant predicate on its partition column, and the
batch's load and DML jobs are counted against BigQuery's per-table daily quotas."""
from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from bin.stack import inline
from coordinator.requests import StartRequest
from coordinator.service import start as start_batch
from processors.runner import nightly
from shared import tables
from shared.adapters.directory_store import DirectoryStore
from shared.adapters.duckdb_warehouse import DuckDBWarehouse
from shared.catalogue import ROWS_PER_PLAYER
from shared.config import Settings

DAY = date(2024, 1, 16)
FILTERED = [t for t in tables.CATALOG.values() if t.partition_filter_required]
DML = re.compile(r"^\s*(MERGE|DELETE|INSERT|UPDATE)\b", re.I)


class Recording:
    """The real client, with every query and load it is asked for written down."""

    def __init__(self, client):
        self.client, self.queries, self.loads = client, [], []

    def query_and_wait(self, sql, **kwargs):
        self.queries.append(sql)
        return self.client.query_and_wait(sql, **kwargs)

    def load_table_from_file(self, data, table_id, **kwargs):
        self.loads.append(table_id)
        return self.client.load_table_from_file(data, table_id, **kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


def names(sql: str, table: tables.Table) -> bool:
    return re.search(rf"`?{table.dataset}`?\.`?{table.name}`?(?![_a-z])", sql) is not None


@pytest.mark.emulator
def test_a_batch_on_bigquery_filters_partitions_and_stays_within_job_quotas(bq_client, sample_db, tmp_path):
    from shared.adapters.bigquery_warehouse import BigQueryWarehouse

    shutil.copy(sample_db, tmp_path / "w.duckdb")
    local = DuckDBWarehouse(tmp_path / "w.duckdb")
    nightly(local, None, DAY)
    features = local.read(tables.ML_FEATURE_STORE.fqn, DAY, DAY)
    recorder = Recording(bq_client)
    bq = BigQueryWarehouse("test-proj", client=recorder)
    bq.ensure_tables()
    for t in (tables.ML_FEATURE_STORE, tables.PREDICTIONS):
        bq.query(f"DELETE FROM {t.fqn} WHERE {t.partition} = @d", {"d": DAY})
    bq.merge_frame(tables.ML_FEATURE_STORE.fqn, features)
    recorder.queries.clear(), recorder.loads.clear()

    chain = inline(Settings.from_env({"PIPELINE_HOME": str(tmp_path / "home"), "PIPELINE_AUTH": "off"}), bq,
                   DirectoryStore(tmp_path / "objects"))
    code, body = start_batch(chain.coordinator, StartRequest(game_date=DAY), DAY)
    assert code == 202 and chain.completed and chain.completed[0].rows == len(features) * ROWS_PER_PLAYER

    for table in FILTERED:
        touching = [q for q in recorder.queries if names(q, table)]
        assert any(DML.match(q) for q in touching)        # the check below saw the batch's MERGE
        for sql in touching:
            assert re.search(rf"{table.partition}`?\s*(=|BETWEEN|>=|<=)\s*@", sql), sql
    jobs = len(recorder.loads) + sum(bool(DML.match(q)) for q in recorder.queries)
    print(f"jobs for one batch of {len(features)} players on the inline path: {len(recorder.loads)} loads, "
          f"{jobs - len(recorder.loads)} DML")
    assert jobs <= 2


@pytest.mark.emulator
def test_unfiltered_access_to_a_filtered_table_is_refused_before_bigquery_sees_it(bq_client):
    from shared.adapters.bigquery_warehouse import BigQueryWarehouse

    bq = BigQueryWarehouse("test-proj", client=bq_client)
    with pytest.raises(ValueError, match="requires a partition filter"):
        bq.read(tables.PREDICTIONS.fqn)
    with pytest.raises(ValueError, match="needs the game_date range"):
        bq.merge(tables.PREDICTIONS.fqn, tables.PREDICTIONS.fqn, {"batch_id": "b"})
