"""Backfill: run processors over a date range in chunks. Never publishes: this module
takes no publisher and builds none. Resumable: dates whose runs are recorded as done are
skipped unless ``force``; a chunk's runs are recorded after its partitions are replaced."""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from processors import history as h
from processors.registry import ordered
from processors.runner import Outcome, compute_dates, record_failure, warehouse_upstream, write_chunk
from shared import tables
from shared.catalogue import BY_NAME, RUN_DONE
from shared.errors import BadArgument
from shared.features import STORE_VERSION
from shared.ports import Warehouse

log = logging.getLogger(__name__)

DONE = RUN_DONE
FEATURE_STORE = "ml_feature_store"
CHUNK_DATES = 200    # about one season: windows are rebuilt once per chunk, so bigger is faster


@dataclass
class BackfillResult:
    outcomes: dict[str, Outcome]
    dates_in_range: int
    dates_skipped: int
    chunks: int
    failed_chunks: int
    seconds: float
    run_id: str


def plan(all_dates: list[pd.Timestamp], todo: set[pd.Timestamp], size: int = CHUNK_DATES) -> list[list[pd.Timestamp]]:
    """Contiguous runs of to-do game dates, cut to ``size``. A chunk never spans a date that
    is done, because a chunk replaces every partition between its first and last date."""
    chunks, current = [], []
    for d in all_dates:
        if d in todo:
            current.append(d)
            if len(current) == size:
                chunks.append(current)
                current = []
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    return chunks


def done_dates(warehouse: Warehouse, names: list[str], start: date, end: date) -> set[pd.Timestamp]:
    """Dates every requested processor finished, less those whose feature rows were computed
    under another feature version (the models of this code would read missing columns)."""
    runs = warehouse.read(tables.PROCESSOR_RUNS.fqn, start, end, columns=["processor", "game_date", "status"])
    runs = runs[runs["processor"].isin(names) & runs["status"].isin(DONE)]
    per_date = runs.groupby("game_date")["processor"].nunique()
    done = {pd.Timestamp(d) for d, n in per_date.items() if n == len(names)}
    if FEATURE_STORE in names and done:
        rows = warehouse.read(tables.ML_FEATURE_STORE.fqn, start, end, columns=["game_date", "feature_version"])
        stale = {pd.Timestamp(d) for d in rows.loc[rows["feature_version"] != STORE_VERSION, "game_date"].unique()}
        if stale:
            log.info("%d date(s) hold features of another version than %s: computed again", len(stale),
                     STORE_VERSION)
        done -= stale
    return done


# Forked workers inherit the prepared inputs instead of receiving them pickled.
_SHARED: dict = {}


def _init_worker(parent: int) -> None:
    """A pool worker must not outlive the backfill (a kill -9 of it leaves no one to stop the
    pool): ask Linux for SIGKILL when the parent dies, then close the race where it already has.
    Ctrl-C reaches the whole process group; the parent alone handles it (it drops the chunks
    not started), so a worker finishes its chunk quietly instead of printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):   # not Linux: the pool's own shutdown is all there is
        pass
    if os.getppid() != parent:
        os._exit(1)


def _compute_in_worker(dates: list[pd.Timestamp]) -> dict[str, pd.DataFrame]:
    return compute_dates(_SHARED["seasons"], dates, _SHARED["names"], _SHARED["upstream"])


def backfill(warehouse: Warehouse, start: date, end: date, names: Iterable[str] | None = None, force: bool = False,
             workers: int = 1, chunk_dates: int = CHUNK_DATES,
             progress: Callable[[int, int], None] | None = None) -> BackfillResult:
    """``progress(done_chunks, total_chunks)`` is called once the chunks are planned and after every chunk."""
    if end < start:
        raise BadArgument("end", end, f"is before start {start}")
    if workers < 1:
        raise BadArgument("workers", workers, "at least 1")
    names = ordered(names)
    began = time.perf_counter()
    run_id, correlation_id = uuid.uuid4().hex, uuid.uuid4().hex
    started = datetime.now(UTC)
    warehouse.ensure_tables()
    raw = h.read_analytics(warehouse, start, end)
    seasons = h.prepare_seasons(raw)
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    all_dates = sorted(d for s in seasons.values() for d in s.dates if lo <= d <= hi)
    skip = set() if force else done_dates(warehouse, names, start, end)
    todo = set(all_dates) - skip
    chunks = plan(all_dates, todo, chunk_dates)
    outcomes = {n: Outcome(n) for n in names}
    upstream = _preloaded_upstream(warehouse, names, start, end) if workers > 1 else warehouse_upstream(warehouse)
    failed = 0
    if progress:
        progress(0, len(chunks))

    def write(dates, results):
        write_chunk(warehouse, results, dates, run_id, "backfill", correlation_id, started, outcomes)

    def fail(dates, exc):
        nonlocal failed
        failed += 1
        log.error("backfill chunk %s..%s failed: %s", dates[0].date(), dates[-1].date(), exc, exc_info=exc)
        record_failure(warehouse, names, dates, run_id, "backfill", correlation_id, started,
                       f"{type(exc).__name__}: {exc}")
        for n in names:
            outcomes[n].failed.append(f"{dates[0].date()}..{dates[-1].date()}")

    if workers == 1 or len(chunks) <= 1:
        for i, dates in enumerate(chunks, 1):
            try:
                write(dates, compute_dates(seasons, dates, names, upstream))
            except Exception as exc:
                fail(dates, exc)
            if progress:
                progress(i, len(chunks))
    else:
        _SHARED.update(seasons=seasons, names=names, upstream=upstream)
        try:
            ctx = multiprocessing.get_context("fork")
            others = set(multiprocessing.active_children())
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                     initargs=(os.getpid(),)) as pool:
                futures = [(dates, pool.submit(_compute_in_worker, dates)) for dates in chunks]
                try:
                    for i, (dates, future) in enumerate(futures, 1):
                        try:
                            write(dates, future.result())
                        except Exception as exc:
                            fail(dates, exc)
                        if progress:
                            progress(i, len(chunks))
                except BaseException:
                    # Ctrl-C: the pool's exit, and the interpreter's, would wait for every queued
                    # chunk. Only this process writes, so a worker stopped mid-chunk loses nothing.
                    pool.shutdown(wait=False, cancel_futures=True)
                    for worker in set(multiprocessing.active_children()) - others:
                        worker.terminate()
                    raise
        finally:
            _SHARED.clear()
    return BackfillResult(outcomes, len(all_dates), len(all_dates) - len(todo), len(chunks), failed,
                          time.perf_counter() - began, run_id)


def _preloaded_upstream(warehouse: Warehouse, names: list[str], start: date, end: date):
    """Workers cannot open the embedded warehouse while this process writes it, so upstream
    tables a run does not compute itself are read once, before forking."""
    needed = {d for n in names for d in BY_NAME[n].upstream} - set(names)
    frames = {n: warehouse.read(BY_NAME[n].table.fqn, start, end) for n in needed}

    def read(name: str, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
        f = frames[name]
        col = BY_NAME[name].table.partition
        return f[(f[col] >= lo) & (f[col] <= hi)]
    return read
