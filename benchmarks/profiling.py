"""`--profile` for bin/bench chain and worker: py-spy samples the thread holding the GIL in
the process being measured (it attaches from outside, so the process runs unmodified): the
chain and the worker are each one Python process whose threads take turns on the GIL, so
those samples are where its time goes, and threads waiting on a socket, a lock or a
library call that let go of the GIL are not counted. It writes a speedscope flame graph
(open it at https://www.speedscope.app), and the samples are summed into the pipeline's
stages: each belongs to the innermost stage frame on its stack (a few stages claim a
whole stack: the processors, model loading, finalisation), so a stage's share is its own
time, never its callers'."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

# (stage, file suffix, function or None for any) -- the innermost frame that matches names the stage
CHAIN_STAGES = (
    ("waiting for its group (idle)", "worker/coalesce.py", "submit"),
    ("model: compiled trees", "shared/models/compiled.py", "predict"),
    ("model: xgboost/catboost library", "shared/models/native.py", "predict"),
    ("system: similarity", "worker/systems/similarity.py", None),
    ("system: ensemble", "worker/systems/ensemble.py", None),
    ("system: moving_average", "worker/systems/moving_average.py", None),
    ("system: zone_matchup", "worker/systems/zone_matchup.py", None),
    ("system: xgboost/catboost (around the model)", "worker/systems/gradient_boosting.py", None),
    ("feature lookup", "worker/features.py", None),
    ("rows + pricing", "worker/rows.py", None),
    ("staging write", "shared/staging.py", "write"),
    ("staging write", "worker/staging.py", None),
    ("worker: request handling", "worker/service.py", None),
    ("worker: request handling", "worker/coalesce.py", None),
    ("completion: the player's marker, the batch document", "coordinator/", None),
    ("request parse", "shared/pubsub.py", None),
    ("request parse", "shared/messages.py", None),
    ("publish (bus: store + push delivery)", "shared/adapters/local_bus.py", None),
    ("HTTP (werkzeug/flask/gunicorn/requests)", "werkzeug/", None),
    ("HTTP (werkzeug/flask/gunicorn/requests)", "flask/", None),
    ("HTTP (werkzeug/flask/gunicorn/requests)", "gunicorn/", None),
    ("HTTP (werkzeug/flask/gunicorn/requests)", "requests/", None),
    ("HTTP (werkzeug/flask/gunicorn/requests)", "urllib3/", None),
    ("HTTP (werkzeug/flask/gunicorn/requests)", "http/", None),
)
WORKER_STAGES = CHAIN_STAGES
FINALISATION = (
    ("finalisation: read staged rows", "shared/staging.py", "read"),
    ("finalisation: load + MERGE", "shared/adapters/duckdb_warehouse.py", None),
    ("finalisation: load + MERGE", "shared/tables.py", None),
)
# a sample with one of these anywhere on its stack belongs to it whatever it ran inside (first match);
# a tuple of rules instead of a name sorts the sample by them, the innermost match, else the last name
OUTER = (("processors (publish the events; before the measured wait)", "processors/runner.py", "nightly"),
         ("bench: polling for the end", "benchmarks/chain_bench.py", "_state"),
         ("model loading and compiling (once per process)", "worker/model_provider.py", "_load"),
         ("model loading and compiling (once per process)", "shared/models/native.py", "compile"),
         ((*FINALISATION, ("finalisation: markers, summary, announcement", "", None)), "coordinator/service.py",
          "finalise"))


def available() -> str | None:
    """Why profiling cannot run here, or None."""
    if shutil.which("py-spy") is None and not (Path(sys.executable).parent / "py-spy").exists():
        return "py-spy is not installed (pip install py-spy)"
    return None


@contextmanager
def recording(pid: int, out: Path, rate: int = 250):
    """py-spy attached to ``pid`` for the duration of the block; the speedscope file at ``out``."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([exe, "record", "--pid", str(pid), "--rate", str(rate), "--format", "speedscope", "--gil",
                             "--output", str(out), "--nonblocking"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        yield
    finally:
        os.killpg(proc.pid, signal.SIGINT)     # py-spy writes its file on an interrupt
        _, err = proc.communicate(timeout=120)
        if not out.exists():
            raise RuntimeError(f"py-spy wrote no profile: {err.decode(errors='replace')[-500:]}")


def stages(speedscope: Path, rules=CHAIN_STAGES, outer=OUTER) -> Counter:
    """Samples per stage, summed over every thread of the profile ("other" for the rest)."""
    doc = json.loads(speedscope.read_text())
    frames = doc["shared"]["frames"]
    names = [(f.get("file") or "", f.get("name") or "") for f in frames]

    def matches(index: int, suffix: str, fn: str | None) -> bool:
        path, name = names[index]
        return suffix in path.replace("\\", "/") and (fn is None or name.split(" ")[0].split(".")[-1] == fn)

    def innermost(sample: list[int], table) -> str | None:
        for index in reversed(sample):
            for stage, suffix, fn in table:
                if suffix and matches(index, suffix, fn):
                    return stage
        return None

    def classify(sample: list[int]) -> str:
        for stage, suffix, fn in outer:
            if any(matches(i, suffix, fn) for i in sample):
                return stage if isinstance(stage, str) else innermost(sample, stage) or stage[-1][0]
        return innermost(sample, rules) or "other (idle waits, threads)"

    totals: Counter = Counter()
    for profile in doc["profiles"]:
        for sample, weight in zip(profile["samples"], profile["weights"], strict=True):
            totals[classify(sample)] += weight
    return totals


def table(totals: Counter, title: str) -> str:
    whole = sum(totals.values()) or 1
    lines = [f"{title}: share of the GIL-holding samples per stage (py-spy --gil)",
             "| stage | share |", "|---|---|"]
    lines += [f"| {stage} | {100 * n / whole:.1f} % |" for stage, n in totals.most_common()]
    return "\n".join(lines)
