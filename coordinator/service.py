"""Batch logic as plain functions over the ports: start a batch, record completions,
finalise exactly once, handle stalls, report status."""
from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from coordinator import slate
from coordinator.batches import STALL_AFTER, BatchStore, batch_summary, describe, describe_date
from coordinator.documents import DatePointer, DoneMarker, FinalClaim, Owner
from coordinator.requests import StartRequest, lines_by_prop
from shared import availability, failpoints, staging, tables, topology, versions
from shared.batch_docs import BatchDoc, BatchInputs, BatchSummary
from shared.catalogue import PROP_NAMES
from shared.errors import PermanentError, TransientError
from shared.messages import Line, PredictionReady, PredictionRequest, PredictionsComplete
from shared.metrics import ServiceMetrics
from shared.ports import Publisher, Warehouse
from shared.pricing import CALL_MARGIN

log = logging.getLogger(__name__)


@dataclass
class CoordinatorDeps:
    warehouse: Warehouse
    batches: BatchStore
    publisher: Publisher
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    stall_republish: timedelta = STALL_AFTER
    stall_finalise: timedelta = timedelta(minutes=20)
    finalise_lease: timedelta = timedelta(minutes=5)
    # on one machine (the embedded default) a claim whose process is gone is void at once;
    # across Cloud Run instances hosts and pids say nothing, and only the lease expires a claim
    owner_check: bool = False
    abandon_after: timedelta = timedelta(minutes=1)   # a date claimed this long without a batch document
    metrics: ServiceMetrics = field(default_factory=lambda: ServiceMetrics("coordinator"))
    call_margin: float = CALL_MARGIN   # Settings.call_margin: re-priced rows are called as the worker calls them


class BadRequest(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


# -- /start ----------------------------------------------------------------------------------------
def start(deps: CoordinatorDeps, req: StartRequest, today: date, backtest: bool = False) -> tuple[int, dict]:
    """``backtest``: the caller replays past dates (predict-range) and may ask for realised
    availability; a serving batch never reads the night's box scores."""
    if req.availability == "realised" and not backtest:
        raise BadRequest("availability", "availability 'realised' reads the night's box scores: only backtests "
                                         "(`bin/pipeline predict-range`) may use it; use report or none")
    day = req.game_date or today
    existing = deps.batches.date_pointer(day)
    if existing and not req.force and not _abandoned(deps, existing[0]):
        return 200, _existing(deps, existing[0].batch_id)
    scheduled = deps.warehouse.read(tables.ML_FEATURE_STORE.fqn, day, day, columns=list(availability.INPUTS))
    known = sorted(int(p) for p in scheduled["player_id"])
    if not known:
        raise BadRequest("game_date", f"game_date {day}: no feature-store rows; run the processors for it first")
    players = known
    if req.players:
        unknown = sorted(set(req.players) - set(known))
        if unknown:
            raise BadRequest("players", f"players {unknown[:20]} are not scheduled on {day}")
        players = sorted(set(req.players))
    manual = lines_by_prop(req.lines)
    if manual:
        stray = sorted(set(manual) - set(players))
        if stray:
            raise BadRequest("lines", f"lines given for players {stray[:20]} who are not in this batch")
        unasked = sorted({prop for by_prop in manual.values() for prop in by_prop} - set(req.props or PROP_NAMES))
        if unasked:
            raise BadRequest("lines", f"lines given for props {unasked} this batch does not predict")
    batch_id = uuid.uuid4().hex
    now = deps.clock()
    if not deps.batches.claim_date(day, DatePointer(batch_id=batch_id, claimed_at=now, **owner().model_dump()),
                                   existing[1] if existing else None):
        return 200, _existing(deps, _claimed(deps, day))
    failpoints.reach("coordinator.date_claimed")
    tonight = slate.load(deps.warehouse, day, now, manual, req.props)
    version = stored_version(deps.warehouse, day) if existing else 0
    source, columns = slate.tonight(deps.warehouse, day, scheduled, tonight, req.availability)
    doc = batch_doc(batch_id, day, players, tonight, now, systems=req.systems, props=req.props,
                    availability_source=source, tonight_columns=columns,
                    correlation_id=req.correlation_id, degraded=req.degraded,
                    missing_processors=req.missing_processors, forced=req.force, subset=req.players is not None,
                    prediction_version=1 if version <= 1 else version + 1)
    launch(deps, doc)
    log.info("batch %s started for %s with %d players", batch_id, day, len(players),
             extra={"batch_id": batch_id, "game_date": str(day), "expected": len(players),
                    "degraded": req.degraded, "batch_event": "started"})
    return 202, {"batch_id": batch_id, "game_date": day.isoformat(), "expected": len(players)}


def stored_version(warehouse: Warehouse, day: date, players: list[int] | None = None) -> int:
    """The highest prediction_version stored for ``day`` (of ``players``); 0 when none. A new
    batch for a date that news already moved (a forced /start) must come out on top of it."""
    rows = warehouse.read(tables.PREDICTIONS.fqn, day, day, columns=["player_id", "prediction_version"])
    if players is not None:
        rows = rows[rows["player_id"].isin(players)]
    return int(rows["prediction_version"].fillna(1).max()) if len(rows) else 0


def batch_doc(batch_id: str, day: date, players: list[int], tonight: slate.Slate, now: datetime, *,
              correlation_id: str, systems: list[str] | None = None, props: list[str] | None = None,
              degraded: bool = False, missing_processors: list[str] | None = None, forced: bool = False,
              subset: bool = False, prediction_version: int = 1, parent_batch_id: str | None = None,
              reason: str | None = None, as_of: datetime | None = None,
              availability_source: availability.AvailabilitySource = "none",
              tonight_columns: dict[str, dict[str, float | None]] | None = None) -> BatchDoc:
    """``as_of``: the moment whose report and lines the batch reads (default ``now``);
    ``tonight_columns``: each player's tonight availability columns (slate.tonight)."""
    out = {p: why for p, why in tonight.out.items() if p in set(players)}
    # every field given, so every key is written (shared/documents.py writes the fields set)
    return BatchDoc(
        batch_id=batch_id, game_date=day, players=players, expected=len(players), systems=systems, props=props,
        lines={p: {prop: Line(**line) for prop, line in by_prop.items()} for p, by_prop in tonight.lines.items()},
        availability=tonight.availability, availability_source=availability_source,
        tonight={p: (tonight_columns or {}).get(str(p)) or {} for p in players}, out=out, state="running",
        started_at=now, finished_at=None, degraded=degraded, missing_processors=missing_processors or [],
        correlation_id=correlation_id, republished_at=None, forced=forced, subset=subset,
        inputs=BatchInputs.model_validate(tonight.inputs.model_dump()), prediction_version=prediction_version,
        parent_batch_id=parent_batch_id, reason=reason, as_of=as_of or now)


def launch(deps: CoordinatorDeps, doc: BatchDoc) -> None:
    """Write the batch document and fan its players out; players the report rules out end
    skipped with its reason at once, and nobody predicts them."""
    batch_id = doc.batch_id
    deps.batches.put_batch(doc)
    deps.batches.set_running(batch_id, True)
    failpoints.reach("coordinator.batch_created")
    for player, why in doc.out.items():
        deps.batches.mark_done(batch_id, player, DoneMarker(status="skipped", reason=f"out: {why}", n_rows=0,
                                                            at=doc.started_at))
    publish_requests(deps, doc, [p for p in doc.players if p not in doc.out])
    if len(doc.out) == len(doc.players):
        finalise(deps, batch_id)


def owner() -> Owner:
    """This process, named in the claims it writes."""
    return Owner(host=socket.gethostname(), pid=os.getpid())


def owner_gone(owner_check: bool, claim: Owner) -> bool:
    """True when ``claim`` was written by a process of this machine that no longer runs."""
    if not owner_check or claim.host != socket.gethostname() or not claim.pid:
        return False
    if claim.pid == os.getpid():
        return False
    try:
        os.kill(claim.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _abandoned(deps: CoordinatorDeps, pointer: DatePointer) -> bool:
    """A date claimed by a /start that died before writing the batch document."""
    if deps.batches.batch(pointer.batch_id) is not None:
        return False
    claimed = pointer.claimed_at
    stale = claimed is None or claimed < deps.clock() - deps.abandon_after
    if stale or owner_gone(deps.owner_check, pointer):
        log.warning("date claimed by batch %s, which was never created; starting a new batch", pointer.batch_id,
                    extra={"batch_id": pointer.batch_id})
        return True
    return False


def _claimed(deps: CoordinatorDeps, day: date) -> str:
    """The batch of a date another /start claimed first."""
    pointer = deps.batches.date_pointer(day)
    if pointer is None:
        raise TransientError(f"the date pointer of {day} changed and then vanished; retry")
    return pointer[0].batch_id


def _existing(deps: CoordinatorDeps, batch_id: str) -> dict:
    # a concurrent /start may have claimed the date and not yet written its batch document
    return {**(status(deps, batch_id) or {"batch_id": batch_id, "state": "creating"}), "existing": True}


def publish_requests(deps: CoordinatorDeps, doc: BatchDoc, players: list[int]) -> None:
    systems = tuple(doc.systems) if doc.systems else None
    props = tuple(doc.props) if doc.props else None
    messages = []
    for p in players:
        messages.append(PredictionRequest(
            batch_id=doc.batch_id, game_date=doc.game_date, player_id=p, systems=systems, props=props,
            lines=doc.lines.get(p) or {}, availability=doc.availability.get(p), tonight=doc.tonight.get(p) or {},
            availability_source=doc.availability_source, correlation_id=doc.correlation_id))
    deps.publisher.publish_many(topology.PREDICTION_REQUEST, messages)


# -- /complete -------------------------------------------------------------------------------------
def complete(deps: CoordinatorDeps, msg: PredictionReady) -> str:
    members = deps.batches.members(msg.batch_id)
    if members is None:
        raise PermanentError(f"batch_id {msg.batch_id!r} is unknown")
    players, expected = members
    if msg.player_id not in players:
        raise PermanentError(f"player {msg.player_id} is not in batch {msg.batch_id}")
    first = deps.batches.mark_done(msg.batch_id, msg.player_id, DoneMarker(
        status=msg.status, reason=msg.reason, n_rows=msg.n_rows, at=deps.clock()))
    failpoints.reach("coordinator.marked")
    done = deps.batches.done_players(msg.batch_id)
    if len(done) >= expected:
        finalise(deps, msg.batch_id)
    return "recorded" if first else "duplicate"


# -- finalisation ----------------------------------------------------------------------------------
def finalise(deps: CoordinatorDeps, batch_id: str, missing: list[int] | None = None) -> bool:
    """Merge staging into the predictions table and announce it; exactly one caller wins."""
    now = deps.clock()
    claim = FinalClaim(state="claimed", claimed_at=now, token=uuid.uuid4().hex, **owner().model_dump())
    generation = deps.batches.claim_final(batch_id, claim)
    if generation is None:
        found = deps.batches.final(batch_id)
        if found is None:   # the claim we lost to was deleted: nothing to take over from
            return False
        current, gen = found
        lease_over = current.claimed_at < now - deps.finalise_lease
        stale = current.state == "claimed" and (lease_over or owner_gone(deps.owner_check, current))
        if current.state == "finalized":
            batch = deps.batches.batch(batch_id)
            if batch is not None and batch[0].state != "finished":   # died between the two writes
                _close(deps, batch_id, current.finalized_at or now, current.missing, current.summary)
            return False
        if not (current.state == "failed" or stale):
            return False
        if not deps.batches.put_final(batch_id, claim, gen):
            return False
        taken = deps.batches.final(batch_id)
        if taken is None:
            return False
        generation = taken[1]
    found_batch = deps.batches.batch(batch_id)
    if found_batch is None:
        raise PermanentError(f"batch {batch_id} has a finalisation claim but no batch document")
    doc = found_batch[0]
    try:
        day = doc.game_date
        staged = staging.read(deps.batches.store, batch_id)
        foreign = staged[(staged["game_date"].dt.date != day) | ~staged["player_id"].isin(doc.players)]
        if len(foreign):   # rows can only come from this batch's own requests; anything else is refused
            log.error("batch %s: %d staged rows are not for its date and players; not merged", batch_id,
                      len(foreign), extra={"batch_id": batch_id, "alert": "staging_foreign_rows"})
            staged = staged.drop(foreign.index)
        staged = versions.stamp(staged, doc, doc.inputs.lines_as_of)
        # one load and one MERGE per batch; a rerun after a crash here merges the same rows again harmlessly
        deps.warehouse.merge_frame(tables.PREDICTIONS.fqn, staged)
        failpoints.reach("coordinator.merged")
        rows = int(deps.warehouse.query(
            f"SELECT COUNT(*) AS n FROM {tables.PREDICTIONS.fqn} WHERE batch_id = @b AND game_date = @d",
            {"b": batch_id, "d": day})["n"].iloc[0])
    except Exception as exc:
        deps.batches.put_final(batch_id, claim.model_copy(update={"state": "failed", "error": str(exc)[:500]}),
                               generation)
        raise TransientError(f"consolidation of batch {batch_id} failed; it will be retried: {exc}") from exc
    markers = deps.batches.done_docs(batch_id)
    summary = batch_summary(markers)
    counts = {"completed": summary.completed, "skipped": summary.skipped, "failed": summary.failed}
    missing = sorted(set(doc.players) - set(markers)) if missing is None else sorted(missing)
    deps.publisher.publish(topology.PREDICTIONS_COMPLETE, PredictionsComplete(
        batch_id=batch_id, game_date=doc.game_date, expected=doc.expected,
        completed=counts["completed"], skipped=counts["skipped"], failed=counts["failed"], missing=tuple(missing),
        rows=rows, degraded=doc.degraded, correlation_id=doc.correlation_id))
    finished = deps.clock()
    deps.batches.put_final(batch_id, claim.model_copy(update={"state": "finalized", "finalized_at": finished,
                                                              "rows": rows, "missing": missing, "summary": summary}),
                           generation)
    _close(deps, batch_id, finished, missing, summary)
    _observe_batch(deps, doc, counts, missing, batch_id)
    try:
        staging.clear(deps.batches.store, batch_id)
    except Exception:   # the rows are merged; leftovers cost storage only (the bucket's lifecycle rule ages them)
        log.warning("batch %s: staging objects not cleared", batch_id, exc_info=True, extra={"batch_id": batch_id})
    seconds = (deps.clock() - doc.started_at).total_seconds()
    log.info("batch %s for %s finalised: %d players, %d rows, %d missing in %.1f s", batch_id, doc.game_date,
             doc.expected, rows, len(missing), seconds,
             extra={"batch_id": batch_id, "game_date": str(doc.game_date), "rows": rows,
                    "missing_count": len(missing), "seconds": round(seconds, 3), "batch_event": "finished", **counts})
    return True


def _close(deps: CoordinatorDeps, batch_id: str, finished: datetime, missing: list[int],
           summary: BatchSummary | None = None) -> None:
    # a finished batch keeps its summary, so /status reads one object instead of every marker
    def close(doc: BatchDoc) -> None:
        doc.state, doc.finished_at, doc.missing = "finished", finished, missing
        if summary is not None:
            doc.summary = summary
    deps.batches.update_batch(batch_id, close)
    deps.batches.set_running(batch_id, False)


COVERAGE_ALERT = 0.95


def _observe_batch(deps: CoordinatorDeps, doc: BatchDoc, counts: dict[str, int], missing: list[int],
                   batch_id: str) -> None:
    m = deps.metrics
    took = (deps.clock() - doc.started_at).total_seconds()
    m.batch_duration.observe(max(took, 0))
    m.batch_missing.set(len(missing))
    covered = counts["completed"] / doc.expected if doc.expected else 1.0
    m.batch_coverage.set(covered)
    m.batches.labels(str(doc.degraded).lower()).inc()
    if covered < COVERAGE_ALERT:
        log.error("batch %s predicted %.1f%% of its players", batch_id, 100 * covered,
                  extra={"alert": "batch_coverage_low", "batch_id": batch_id, "coverage": covered})


# -- /status ---------------------------------------------------------------------------------------
def status(deps: CoordinatorDeps, batch_id: str) -> dict | None:
    return describe(deps.batches, batch_id)


def status_for_date(deps: CoordinatorDeps, day: date) -> dict | None:
    return describe_date(deps.batches, day)
