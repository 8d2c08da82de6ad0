"""The CLI as a user runs it: `bin/pipeline` in a subprocess (``run``), or the same entry point
in this process (``invoke``), which skips the second or so each new interpreter spends importing
pandas, numpy and pydantic. Both return a CompletedProcess (returncode, stdout, stderr).

``invoke`` is for a command that runs to its end: what it prints, its exit code, the files and
rows it leaves. A test of what only a process shows (a signal, a lock held by another process,
a crash, `serve`) uses ``run``."""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = str(ROOT / "bin" / "pipeline")


def run(*args, home=None, cwd=None, env=None, timeout=300) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {})}
    if home is not None:
        full["PIPELINE_HOME"] = str(home)
    return subprocess.run([PIPELINE, *map(str, args)], capture_output=True, text=True, env=full, cwd=cwd,
                          timeout=timeout)


def invoke(*args, home=None, cwd=None, env=None, timeout=None) -> subprocess.CompletedProcess:
    """`bin/pipeline ARGS` in this process: bin.cli.app.main with the environment bin/pipeline
    gives it (PIPELINE_HOME, default var/ beside bin/), run from ``cwd``, its output captured;
    the logging, warnings and per-run state a command sets are put back afterwards. ``timeout``
    is accepted for ``run``'s signature; pytest-timeout bounds a test in process."""
    from bin.cli import app, common

    argv = [str(a) for a in args]
    variables = {"PIPELINE_HOME": str(home) if home is not None else os.environ.get(
        "PIPELINE_HOME", str(ROOT / "var")), **(env or {})}
    root = logging.getLogger()
    handlers, level, on_sigint = root.handlers[:], root.level, signal.getsignal(signal.SIGINT)
    code = 0
    with contextlib.ExitStack() as stack:
        stack.enter_context(warnings.catch_warnings())
        streams = stack.enter_context(CliRunner().isolation(env=variables))
        stack.enter_context(contextlib.chdir(cwd or os.getcwd()))
        try:
            app.main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception:   # what the interpreter does with an exception main lets through (--debug)
            traceback.print_exc()
            code = 1
        finally:
            for stream in (sys.stdout, sys.stderr):   # isolation's text wrappers buffer
                stream.flush()
            root.handlers[:], root.level = handlers, level
            signal.signal(signal.SIGINT, on_sigint)
            app._debug["on"] = False
            common.interrupted.clear()
            common.NOTICES.clear()
            common.NOTICE_DETAILS.clear()
        out, err = streams[0].getvalue().decode(), streams[1].getvalue().decode()
    return subprocess.CompletedProcess(["pipeline", *argv], code, out, err)
