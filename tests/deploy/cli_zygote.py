"""Runs one Python command-line program (gcloud's lib/gcloud.py, bq.py) many times from one
process that imported its modules once: each run is a fork that executes the program's own
file as __main__ with the run's argv, stdin from /dev/null and its output in a file. The
program and its parser are the real ones, untouched; only the ~2 s of imports per process
is paid once. Runs under the program's own interpreter.

    python3 -S cli_zygote.py SCRIPT PRELOAD_MODULES JOBS < argv-per-line.json
    -> one JSON line per argv, in input order: {"code": int, "output": "..."}
"""
import importlib
import json
import os
import runpy
import sys
import tempfile


def _child(script: str, argv: list[str], out_path: str) -> None:
    fd = os.open(out_path, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    code = 0
    try:
        sys.argv = [script, *argv]
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:   # noqa: BLE001 - the child reports a crash as output, like the real process would
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main() -> None:
    script, preload, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    here = os.path.dirname(os.path.abspath(script))
    for extra in (os.path.join(here, "third_party"), here):
        if os.path.isdir(extra) and extra not in sys.path:
            sys.path.insert(0, extra)
    for name in filter(None, preload.split(",")):
        importlib.import_module(name)
    argvs = [json.loads(line) for line in sys.stdin if line.strip()]
    outputs = [tempfile.mkstemp(prefix="cli-zygote-")[1] for _ in argvs]
    results: list[dict | None] = [None] * len(argvs)
    running: dict[int, int] = {}
    pending = list(range(len(argvs)))
    while pending or running:
        while pending and len(running) < jobs:
            i = pending.pop(0)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                _child(script, argvs[i], outputs[i])
            running[pid] = i
        pid, status = os.wait()
        i = running.pop(pid)
        with open(outputs[i], encoding="utf-8", errors="replace") as f:
            results[i] = {"code": os.waitstatus_to_exitcode(status), "output": f.read()}
        os.unlink(outputs[i])
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
