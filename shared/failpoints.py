"""Named crash points for the crash-consistency tests: with PIPELINE_FAILPOINT=NAME:N the
process kills itself with SIGKILL the N-th time it reaches NAME, exactly where a real
crash would hurt most. Unset (always, in production) a point costs one comparison.

Points: coordinator.date_claimed, coordinator.batch_created, worker.staged,
coordinator.marked, coordinator.merged."""
from __future__ import annotations

import os
import signal

_SPEC = os.environ.get("PIPELINE_FAILPOINT", "")
_NAME, _, _AT = _SPEC.partition(":")
_hits = 0


def reach(name: str) -> None:
    global _hits
    if name != _NAME:
        return
    _hits += 1
    if _hits >= int(_AT or 1):
        os.kill(os.getpid(), signal.SIGKILL)
