from __future__ import annotations

import os
from pathlib import Path

import pytest

from devsupport import emulators

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "player_logs_2023-24.csv.gz"
PLAYOFF_FIXTURE = ROOT / "tests" / "fixtures" / "playoffs_2022-23.csv.gz"
BQ_PROJECT = "test-proj"


def _emulator(start, *args):
    try:
        emu = start(*args)
    except emulators.Unavailable as exc:
        pytest.skip(str(exc))
    return emu


@pytest.fixture(scope="session")
def pubsub_emulator():
    emu = _emulator(emulators.start_pubsub)
    os.environ["PUBSUB_EMULATOR_HOST"] = emu.address
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def gcs_emulator():
    emu = _emulator(emulators.start_gcs)
    os.environ["STORAGE_EMULATOR_HOST"] = f"http://{emu.address}"
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def bq_emulator():
    emu = _emulator(emulators.start_bigquery, BQ_PROJECT)
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def bq_client(bq_emulator):
    import google.cloud.bigquery.client as bq_client_module
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    # the emulator rejects the client's multipart content type (see EMULATORS.md); test-only
    bq_client_module._GENERIC_CONTENT_TYPE = "application/octet-stream"
    return bigquery.Client(project=BQ_PROJECT, credentials=AnonymousCredentials(),
                           client_options={"api_endpoint": f"http://{bq_emulator.address}"})


@pytest.fixture
def gcs_client(gcs_emulator):
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(project="test-proj", credentials=AnonymousCredentials(),
                          client_options={"api_endpoint": f"http://{gcs_emulator.address}"})


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    """A warehouse file with the 2023-24 sample imported, built once per run (tests/support/prepared.py);
    tests copy it, never write to it."""
    from ingest.importer import import_files
    from shared.adapters.duckdb_warehouse import DuckDBWarehouse
    from tests.support.prepared import built_once

    def build(folder):
        wh = DuckDBWarehouse(folder / "warehouse.duckdb")
        wh.ensure_tables()
        import_files(wh, [SAMPLE])
        wh.close()
        return folder / "warehouse.duckdb"

    return built_once(tmp_path_factory, "sample", build)


@pytest.fixture(scope="session")
def night_home(tmp_path_factory, sample_db):
    """A PIPELINE_HOME after the sample night's whole chain (tests/support/stack.py's DAY), graded,
    built once a run; deliveries are drained by hand, so nothing runs behind a test's back.
    Tests copy it (tests/support/prepared.py's copy_of)."""
    from bin import stack as local
    from modeling.grading import grade
    from processors.runner import nightly
    from shared.config import Settings
    from tests.support.prepared import built_once, copy_of
    from tests.support.stack import DAY, TOKEN

    def build(home):
        copy_of(sample_db, home / "warehouse.duckdb")
        st = local.start(Settings.from_env({"PIPELINE_HOME": str(home), "PIPELINE_AUTH_TOKEN": TOKEN}),
                         start_dispatcher=False)
        assert all(e.status == "success" for e in nightly(st.warehouse, st.bus, DAY))
        st.bus.drain()
        grade(st.warehouse, DAY, DAY)
        st.stop()
        return home

    return built_once(tmp_path_factory, "night", build)


@pytest.fixture
def make_stack(sample_db, tmp_path):
    """The embedded default in-process (tests/support/stack.py), on a copy of the sample
    warehouse or of ``warehouse`` (a session-built file, e.g. feature_db)."""
    from tests.support.stack import stack_at

    stacks = []

    def make(name="home", warehouse=None, **options):
        home = tmp_path / name
        home.mkdir()
        st = stack_at(home, warehouse or sample_db, **options)
        stacks.append(st)
        return st

    yield make
    for st in stacks:
        st.stop()


@pytest.fixture
def elsewhere(tmp_path):
    """A working directory outside the repository, as a user's would be."""
    where = tmp_path / "work"
    where.mkdir()
    return where


# Whole files that train real models, replay a season or run a night twice: a minute or more
# each on two cores. `bin/test --fast` leaves them out; `bin/test` runs them.
SLOW_FILES = {"training/test_rule_systems.py", "training/test_retrain_and_swap.py",
              "training/test_train_and_registry.py", "training/test_predict_range_and_evaluate.py",
              "training/test_walk_forward.py",
              "e2e/test_daily_fetches_the_night.py",
              # processes of their own: a virtualenv installed by bin/setup, commands stopped by Ctrl-C
              "cli/test_setup.py", "cli/test_progress.py"}


# Files that run the whole chain or the served stack (tests/e2e/, and `serve` as a process):
# end-to-end, as the marker means; `bin/test --fast` leaves them out.
E2E_DIRS, E2E_FILES = ("e2e/",), {"cli/test_serve.py"}


# The files that take longest (CI's --durations), collected first: xdist hands files to workers in
# collection order, so a long one started last would keep one worker busy while the others wait.
LONGEST_FIRST = ("cli/test_readme_flow.py", "deploy/test_real_cli_parses_plan.py",
                 "e2e/test_daily_fetches_the_night.py", "e2e/test_faults.py",
                 "training/test_predict_range_and_evaluate.py", "training/test_retrain_and_swap.py",
                 "slate/test_real_night.py", "deploy/test_function_package.py", "cli/test_serve.py",
                 "training/test_rule_systems.py", "e2e/test_emulator_topology.py", "e2e/test_local_chain.py",
                 "training/test_train_and_registry.py", "e2e/test_crash_consistency.py",
                 # and the fast lane's
                 "cli/test_progress.py", "slate/test_schedule_equivalence.py", "slate/test_nightly_loop.py",
                 "processors/test_nightly_backfill.py", "training/test_grading.py", "auth/test_secrets_in_logs.py",
                 "cli/test_setup.py", "unit/test_importer_properties.py", "auth/test_static_security.py")


def _rank(item) -> int:
    name = item.path.relative_to(ROOT / "tests").as_posix()
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(config, items):
    items.sort(key=_rank)   # stable: every other test keeps its collection order
    for item in items:
        name = item.path.relative_to(ROOT / "tests").as_posix()
        if name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
        if name.startswith(E2E_DIRS) or name in E2E_FILES:
            item.add_marker(pytest.mark.e2e)
