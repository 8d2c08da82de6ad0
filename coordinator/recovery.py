"""Recovery: what finishes a batch whose messages or processes were lost. The stall check
(Cloud Scheduler, or serve's timer) re-publishes and then finalises; ``repair`` does the
same at once for a caller that knows the batch's runner is gone (a rerun of predict-range
or run); the sweep deletes staged objects no finalisation will read; ``overview`` lists
batches with their progress."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from coordinator.batches import BatchStore
from coordinator.documents import DoneMarker, Progress
from coordinator.service import CoordinatorDeps, finalise, owner_gone, publish_requests
from shared import staging
from shared.batch_docs import BatchDoc, BatchInputs
from shared.ports import NotFound

log = logging.getLogger(__name__)


# -- stalls ----------------------------------------------------------------------------------------
def check_stalled(deps: CoordinatorDeps) -> dict[str, str]:
    now = deps.clock()
    actions: dict[str, str] = {}
    for batch_id in deps.batches.running():
        found = deps.batches.batch(batch_id)
        if found is None:
            continue
        doc = found[0]
        done = set(deps.batches.done_players(batch_id))
        seen = deps.batches.progress(batch_id)
        prog, gen = seen if seen else (Progress(count=-1, at=now), None)
        if len(done) != prog.count:
            deps.batches.put_progress(batch_id, Progress(count=len(done), at=now), gen)
            actions[batch_id] = "progressing"
            continue
        if len(done) >= doc.expected:
            # every player reported a check ago and the batch is still open: its finaliser died
            # (before claiming, or after: finalise() takes over once that claim's lease ran out)
            took_over = finalise(deps, batch_id)
            actions[batch_id] = "finalised" if took_over else "finalising"
            if took_over:
                log.warning("batch %s finalised by the stall check: its finaliser stopped", batch_id,
                            extra={"batch_id": batch_id})
            continue
        idle = now - prog.at
        missing = [p for p in doc.players if p not in done]
        if not doc.republished_at and idle >= deps.stall_republish:
            deps.batches.update_batch(batch_id, lambda d: setattr(d, "republished_at", now))
            publish_requests(deps, doc, missing)
            deps.batches.put_progress(batch_id, Progress(count=len(done), at=now), gen)
            log.warning("batch %s stalled; re-published %d missing players", batch_id, len(missing),
                        extra={"batch_id": batch_id, "missing_count": len(missing)})
            actions[batch_id] = f"republished {len(missing)}"
        elif doc.republished_at and idle >= deps.stall_finalise:
            log.error("batch %s still stalled after re-publishing; finalising without %d players", batch_id,
                      len(missing), extra={"batch_id": batch_id, "alert": "batch_incomplete",
                                           "missing": missing[:50]})
            finalise(deps, batch_id, missing=missing)
            actions[batch_id] = f"finalised without {len(missing)}"
        else:
            actions[batch_id] = "waiting"
    for batch_id, n in sweep_staging(deps).items():
        actions[batch_id] = f"swept {n} staged objects"
    return actions


def sweep_staging(deps: CoordinatorDeps) -> dict[str, int]:
    """Delete staged objects no finalisation will read: those of finished batches (late
    deliveries, a clear that failed) and of ids that are no batch. Returns objects per batch."""
    running = set(deps.batches.running())
    swept: dict[str, int] = {}
    for batch_id, keys in staging.staged(deps.batches.store).items():
        if batch_id in running:
            continue
        try:
            found = deps.batches.batch(batch_id)
        except ValueError:
            found = None
        if found and found[0].state == "running":   # its running marker is being written
            continue
        for key in keys:
            try:
                deps.batches.store.delete(key)
            except NotFound:   # a concurrent sweep took it
                pass
        swept[batch_id] = len(keys)
    if swept:
        deps.metrics.staging_swept.inc(sum(swept.values()))
        log.warning("swept %d staged objects of %d finished or unknown batches", sum(swept.values()), len(swept),
                    extra={"swept_objects": sum(swept.values()), "swept_batches": len(swept)})
    return swept


def repair(deps: CoordinatorDeps, batch_id: str) -> str:
    """Finish a batch left unfinished by a runner that is gone: re-publish every player
    without a result (a duplicate of a late delivery is harmless: markers are write-once and
    staging keeps one row per key), or finalise when all have reported. Returns what was done."""
    found = deps.batches.batch(batch_id)
    if found is None:
        return "not created yet"
    doc = found[0]
    if doc.state == "finished":
        return "finished"
    done = set(deps.batches.done_players(batch_id))
    missing = [p for p in doc.players if p not in done]
    if missing:
        log.warning("batch %s for %s was left unfinished; re-publishing %d players", batch_id, doc.game_date,
                    len(missing), extra={"batch_id": batch_id, "missing_count": len(missing)})
        publish_requests(deps, doc, missing)
        return f"republished {len(missing)}"
    return "finalised" if finalise(deps, batch_id) else "finalising"


def overview(batches: BatchStore, now: datetime, stall_after: timedelta, owner_check: bool,
             start: date | None = None, end: date | None = None) -> list[dict]:
    """One entry per game date with a batch (its current one): state running, stalled (no
    player reported for ``stall_after``, or its finaliser is gone), failed (consolidation
    failed) or finished. Reads the object store only, so it works beside a running serve."""
    found: list[dict[str, Any]] = []
    for day in batches.dates():
        if start and day < start.isoformat() or end and day > end.isoformat():
            continue
        pointer = batches.date_pointer(date.fromisoformat(day))
        batch = batches.batch(pointer[0].batch_id) if pointer else None
        if batch is None:
            found.append({"game_date": day, "batch_id": pointer[0].batch_id if pointer else None,
                          "state": "creating", "expected": 0, "reported": 0, "subset": False, "age_s": None,
                          "inputs": BatchInputs()})
            continue
        doc = batch[0]
        summary = doc.summary
        markers: dict[int, DoneMarker] = {}
        if doc.state == "finished" and summary:   # a finished batch keeps its counts: no marker to read
            reported = summary.completed + summary.skipped + summary.failed
        else:
            markers = batches.done_docs(doc.batch_id)
            reported = len(markers)
        state = _verdict(batches, doc, markers, now, stall_after, owner_check)
        found.append({"game_date": day, "batch_id": doc.batch_id, "state": state, "expected": doc.expected,
                      "reported": reported, "subset": doc.subset, "age_s": (now - doc.started_at).total_seconds(),
                      "inputs": doc.inputs})
    return found


def _verdict(batches: BatchStore, doc: BatchDoc, markers: dict[int, DoneMarker], now: datetime,
             stall_after: timedelta, owner_check: bool) -> str:
    """A running batch is failed (its consolidation failed), stalled (nobody reported for
    ``stall_after``, or its finaliser is gone) or running."""
    if doc.state != "running":
        return doc.state
    final = batches.final(doc.batch_id)
    last = max([m.at for m in markers.values()] + [doc.started_at])
    if final and final[0].state == "failed":
        return "failed"
    if now - last >= stall_after or (final and owner_gone(owner_check, final[0])):
        return "stalled"
    return "running"
