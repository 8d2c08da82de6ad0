"""Run processors over dates: compute in one vectorised pass per chunk, validate, replace
the date partitions, record one run row per (processor, date). ``nightly`` first refuses
box scores that stop before the night needs them (processors/staleness.py), then publishes
one completion event per processor; backfill (processors/backfill.py) never does."""
from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from processors import history as h
from processors.registry import COMPUTE, ordered
from processors.staleness import coverage
from processors.validation import validate
from shared import tables, topology
from shared.catalogue import BY_NAME
from shared.messages import ProcessorCompleted, ProcessorStatus
from shared.ports import Publisher, Warehouse

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What one processor did over a set of dates."""
    processor: str
    dates: int = 0
    rows: int = 0
    rejected: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)


UpstreamReader = Callable[[str, pd.Timestamp, pd.Timestamp], pd.DataFrame]


def compute_chunk(inputs: h.Inputs, names: list[str], upstream: UpstreamReader) -> dict[str, pd.DataFrame]:
    """Every requested processor for the dates of one season pass, in dependency order; an
    upstream processor not requested is read from the warehouse."""
    roster = h.roster(inputs)
    lo, hi = min(inputs.dates), max(inputs.dates)
    out: dict[str, pd.DataFrame] = {}
    for name in names:
        frames = {u: out[u] if u in out else upstream(u, lo, hi) for u in BY_NAME[name].upstream}
        out[name] = COMPUTE[name](inputs, roster, frames)
    return out


def warehouse_upstream(warehouse: Warehouse) -> UpstreamReader:
    def read(name: str, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
        return warehouse.read(BY_NAME[name].table.fqn, lo.date(), hi.date())
    return read


def compute_dates(seasons: dict[int, h.Inputs], dates: list[pd.Timestamp], names: list[str],
                  upstream: UpstreamReader) -> dict[str, pd.DataFrame]:
    """Compute a contiguous run of game dates (possibly spanning two seasons)."""
    parts: dict[str, list[pd.DataFrame]] = {n: [] for n in names}
    for inputs in seasons.values():
        mine = [d for d in dates if d in inputs.date_set]
        if mine:
            for name, frame in compute_chunk(dataclasses.replace(inputs, dates=mine), names, upstream).items():
                parts[name].append(frame)
    return {n: pd.concat(p, ignore_index=True) if p else pd.DataFrame() for n, p in parts.items()}


def write_chunk(warehouse: Warehouse, results: dict[str, pd.DataFrame], dates: list[pd.Timestamp], run_id: str,
                mode: str, correlation_id: str, started: datetime, outcomes: dict[str, Outcome]) -> None:
    """Validate and replace the partitions of one chunk, then record its runs (last, so a
    chunk killed half-way is redone by a resumed backfill)."""
    lo, hi = min(dates).date(), max(dates).date()
    run_rows = []
    for name, frame in results.items():
        spec = BY_NAME[name]
        t0 = time.perf_counter()
        if frame.empty:
            frame = pd.DataFrame({c: pd.Series(dtype=object) for c in spec.table.column_names})
        valid, rejects = validate(spec.table, frame, spec.entity)
        warehouse.replace_partitions(spec.table.fqn, valid, lo, hi)
        if len(rejects):
            warehouse.merge_frame(tables.PROCESSOR_REJECTS.fqn, rejects.assign(processor=name, run_id=run_id))
            log.warning("%s rejected %d rows", name, len(rejects),
                        extra={"processor": name, "first_reason": rejects["reason"].iloc[0]})
        per_day_rows = pd.to_datetime(valid[spec.table.partition]).value_counts()
        per_day_rej = pd.to_datetime(rejects["game_date"]).value_counts() if len(rejects) else pd.Series(dtype=int)
        for d in dates:
            n, r = int(per_day_rows.get(d, 0)), int(per_day_rej.get(d, 0))
            status = "no_data" if n == 0 and r == 0 else ("partial" if r else "success")
            if n == 0 and r:
                status = "failed"
            run_rows.append(_run_row(name, d, run_id, mode, status, n, r, started, None, correlation_id))
        o = outcomes[name]
        o.dates += len(dates)
        o.rows += len(valid)
        o.rejected += len(rejects)
        o.seconds += time.perf_counter() - t0
    warehouse.merge_frame(tables.PROCESSOR_RUNS.fqn, pd.DataFrame(run_rows))


def _run_row(name, day, run_id, mode, status, rows, rejected, started, error, correlation_id) -> dict:
    return {"processor": name, "game_date": day, "run_id": run_id, "mode": mode, "status": status, "rows": rows,
            "rows_rejected": rejected, "started_at": started, "finished_at": datetime.now(UTC),
            "error": error, "correlation_id": correlation_id}


def record_failure(warehouse: Warehouse, names: list[str], dates: list[pd.Timestamp], run_id: str, mode: str,
                   correlation_id: str, started: datetime, error: str) -> None:
    rows = [_run_row(n, d, run_id, mode, "failed", 0, 0, started, error[:2000], correlation_id)
            for n in names for d in dates]
    warehouse.merge_frame(tables.PROCESSOR_RUNS.fqn, pd.DataFrame(rows))


def nightly(warehouse: Warehouse, publisher: Publisher | None, day: date, names: Iterable[str] | None = None,
            correlation_id: str | None = None, allow_stale: bool = False) -> list[ProcessorCompleted]:
    """The nightly path for one date: run, write, then publish one event per processor.
    Raises StaleBoxScores, before anything is written or published, when the box scores stop
    before the teams' previous game day, unless ``allow_stale`` (then a WARNING says so)."""
    names = ordered(names)
    run_id, correlation_id = uuid.uuid4().hex, correlation_id or uuid.uuid4().hex
    started = datetime.now(UTC)
    warehouse.ensure_tables()
    raw = h.read_analytics(warehouse, day, day)
    covered = coverage(raw["schedule"], raw["players"], day)
    if covered.stale:
        if not allow_stale:
            raise covered.refusal()
        log.warning("%s; processing anyway (stale inputs allowed)", covered.refusal(),
                    extra={"game_date": str(day), "stale_inputs": True, "last_stored": str(covered.last_stored),
                           "needed": str(covered.needed)})
    seasons = h.prepare_seasons(raw)
    target = pd.Timestamp(day)
    outcomes = {n: Outcome(n) for n in names}
    error: str | None = None
    error_status: ProcessorStatus = "failed"
    if not any(target in s.date_set for s in seasons.values()):
        error, error_status = f"no games scheduled on {day}", "no_data"
    else:
        try:
            results = compute_dates(seasons, [target], names, warehouse_upstream(warehouse))
            write_chunk(warehouse, results, [target], run_id, "nightly", correlation_id, started, outcomes)
        except Exception as exc:
            log.exception("nightly processors failed for %s", day)
            error = f"{type(exc).__name__}: {exc}"
            record_failure(warehouse, names, [target], run_id, "nightly", correlation_id, started, error)
    runs = warehouse.read(tables.PROCESSOR_RUNS.fqn, day, day).set_index("processor")
    events = []
    for name in names:
        if error is not None:
            status, rows, rejected = error_status, 0, 0
        else:
            r = runs.loc[name]
            status, rows, rejected = r["status"], int(r["rows"]), int(r["rows_rejected"])
        events.append(ProcessorCompleted(
            processor=name, game_date=day, status=status, rows=rows, rows_rejected=rejected, run_id=run_id,
            correlation_id=correlation_id, started_at=started, finished_at=datetime.now(UTC),
            error=error))
    if publisher is not None:
        for event in events:
            publisher.publish(topology.PRECOMPUTE_COMPLETE, event, {"processor": event.processor})
    return events
