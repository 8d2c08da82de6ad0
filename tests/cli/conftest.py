"""The CLI as a user runs it: `bin/pipeline` in a subprocess, from a directory that is not the repo."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import ROOT

PIPELINE = str(ROOT / "bin" / "pipeline")


def run(*args, home=None, cwd=None, env=None, timeout=300) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    if home is not None:
        full["PIPELINE_HOME"] = str(home)
    return subprocess.run([PIPELINE, *map(str, args)], capture_output=True, text=True, env=full, cwd=cwd,
                          timeout=timeout)


@pytest.fixture
def elsewhere(tmp_path):
    """A working directory outside the repository, as a user's would be."""
    where = tmp_path / "work"
    where.mkdir()
    return where
