"""`process` (the nightly path, publishes) and `backfill` (a range, never publishes)."""
from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from bin.cli.common import (
    WORK_FAILED,
    console,
    fail,
    parse_date,
    parse_range,
    progress_bar,
    refusal,
    settings,
    warehouse,
)
from bin.night_workflow import STALE_HINT
from shared import bootstrap, topology
from shared.catalogue import PROCESSOR_NAMES

PROCESSOR_HELP = f"run only this processor (repeatable; all when absent): {', '.join(PROCESSOR_NAMES)}"
ALLOW_STALE_HELP = ("run even when the box scores stop before the teams' previous game day (logged as a "
                    "warning); refused otherwise")


def process_command(
    day: str = typer.Option(..., "--date", help="game date YYYY-MM-DD"),
    processor: Optional[list[str]] = typer.Option(None, "--processor", metavar="NAME", help=PROCESSOR_HELP),
    allow_stale: bool = typer.Option(False, "--allow-stale", help=ALLOW_STALE_HELP),
    when_ready: bool = typer.Option(False, "--when-ready", help=(
        "only once the date's inputs are in (yesterday's box scores, the day's injury report, near the first "
        "tip-off) and not twice: otherwise one line and exit 0. For a timer that runs every few minutes")),
) -> None:
    """Run the nightly processors for one date and publish one completion event each. Refused
    (exit 1, nothing written) when the box scores stop before the teams' previous game day."""
    from processors.registry import ordered
    from processors.runner import nightly
    from processors.staleness import StaleBoxScores

    d = parse_date(day, "--date")
    try:
        names = ordered(processor)
    except ValueError as exc:
        fail(refusal(exc))
    s = settings()
    wh = warehouse(s)
    if when_ready and not _ready(s, wh, d):
        return
    publisher = bootstrap.build_publisher(s)
    try:
        events = nightly(wh, publisher, d, names, allow_stale=allow_stale)
    except StaleBoxScores as exc:
        fail(f"{exc}; {STALE_HINT}", WORK_FAILED)
    table = Table("processor", "status", "rows", "rejected", "error")
    for e in events:
        table.add_row(e.processor, e.status, str(e.rows), str(e.rows_rejected), e.error or "")
    console.print(table)
    ok = sum(e.status in ("success", "partial") for e in events)
    console.print(f"{d}: {ok}/{len(events)} processors succeeded; published {len(events)} event(s) "
                  f"to {topology.PRECOMPUTE_COMPLETE}")
    if any(e.status == "failed" for e in events):
        raise typer.Exit(WORK_FAILED)


def _ready(s, wh, d) -> bool:
    """Says what the readiness check found; a date processed already, or not ready yet, ends the command."""
    import logging
    from datetime import UTC, datetime

    from processors import readiness

    wh.ensure_tables()
    found = readiness.check(wh, d, datetime.now(UTC), s.process_lead)
    if found.without_report:   # a WARNING for the logs (Cloud Logging); on a terminal, one plain line
        logging.getLogger("processors.readiness").warning("%s: %s", d, found.reason)
    else:
        console.print(f"{d}: {found.reason}", highlight=False)
    return found.ready


def backfill_command(
    start: str = typer.Option(..., "--start", help="first date YYYY-MM-DD"),
    end: str = typer.Option(..., "--end", help="last date YYYY-MM-DD"),
    processor: Optional[list[str]] = typer.Option(None, "--processor", metavar="NAME", help=PROCESSOR_HELP),
    force: bool = typer.Option(False, "--force", help="recompute dates already done"),
    workers: int = typer.Option(1, "--workers", min=1, max=16, help="processes computing chunks in parallel"),
    chunk_dates: Optional[int] = typer.Option(None, "--chunk-dates", min=1, max=2000,
                                              help="game dates per chunk (default about a season; fewer: less "
                                                   "memory, more passes)"),
) -> None:
    """Run processors over a date range. Never publishes. Resumable: finished dates are skipped."""
    from processors.backfill import backfill

    d1, d2 = parse_range(start, end)
    s = settings()
    wh = warehouse(s)
    with progress_bar("backfill chunks") as progress:
        try:
            result = backfill(wh, d1, d2, processor, force=force, workers=workers, progress=progress,
                              **({"chunk_dates": chunk_dates} if chunk_dates else {}))
        except ValueError as exc:
            fail(refusal(exc))
    table = Table("processor", "dates", "rows", "rejected", "seconds (write)", "failed chunks")
    for o in result.outcomes.values():
        table.add_row(o.processor, str(o.dates), f"{o.rows:,}", str(o.rejected), f"{o.seconds:.1f}",
                      ", ".join(o.failed) or "-")
    console.print(table)
    console.print(f"backfill {d1}..{d2}: {result.dates_in_range} game dates, {result.dates_skipped} already done, "
                  f"{result.chunks} chunk(s), {result.failed_chunks} failed, {result.seconds:.1f}s; nothing published")
    if result.failed_chunks:
        raise typer.Exit(WORK_FAILED)


def register(app: typer.Typer) -> None:
    app.command("process")(process_command)
    app.command("backfill")(backfill_command)
