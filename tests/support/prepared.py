"""Prepared state the tests build once per run and copy: a warehouse with the sample imported,
the same backfilled, a home after one night. pytest-xdist gives each worker its own session,
so a session fixture alone builds the same thing once per worker; these helpers build it once
for the whole run, in the run's shared temporary folder, under a file lock, and hand each test
a private copy (copying a DuckDB file beats rebuilding it by far)."""
from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.adapters.duckdb_warehouse import DuckDBWarehouse

_DONE = ".built"


def _run_folder(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    # under xdist each worker's base is a child of the run's (popen-gw0, ...); the parent is shared
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def built_once(tmp_path_factory, name: str, build: Callable[[Path], Path]) -> Path:
    """What ``build(folder)`` made in an empty ``folder`` (the path it returns), built by the
    first worker that asks and reused by the others. A build that raised leaves nothing
    behind that counts as built, so the next worker tries again and reports the same error."""
    root = _run_folder(tmp_path_factory) / "prepared"
    root.mkdir(exist_ok=True)
    folder, done = root / name, root / name / _DONE
    with _locked(root / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            made = build(folder)
            done.write_text(made.relative_to(folder).as_posix())
    return folder / done.read_text()


def copy_of(prepared: Path, target: Path) -> Path:
    """A private copy of a prepared warehouse file (or home folder) at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if prepared.is_dir():
        shutil.copytree(prepared, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(_DONE))
    else:
        shutil.copy(prepared, target)
    return target


def open_copy(prepared: Path, target: Path) -> DuckDBWarehouse:
    """A private copy of a prepared warehouse, opened; the caller closes it."""
    return DuckDBWarehouse(copy_of(prepared, target))
