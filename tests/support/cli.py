"""The CLI as a user runs it: `bin/pipeline` in a subprocess."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

PIPELINE = str(Path(__file__).resolve().parents[2] / "bin" / "pipeline")


def run(*args, home=None, cwd=None, env=None, timeout=300) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    if home is not None:
        full["PIPELINE_HOME"] = str(home)
    return subprocess.run([PIPELINE, *map(str, args)], capture_output=True, text=True, env=full, cwd=cwd,
                          timeout=timeout)
