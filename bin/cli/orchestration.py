"""`orchestration-status`: per game date, what the orchestrator has seen and done;
`batches`: the coordinator's batches with their progress."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal, Optional

import typer
from rich.table import Table

from bin.cli.common import console, parse_date, parse_range, settings
from orchestrator import state as st
from shared import bootstrap
from shared.batch_docs import eastern


def status_command(day: Optional[str] = typer.Option(None, "--date", help="one game date YYYY-MM-DD")) -> None:
    """Show expected, done, failed and missing processors, and the trigger, per date."""
    s = settings()
    store = bootstrap.build_store(s)
    dates = [parse_date(day, "--date").isoformat()] if day else st.list_dates(store)
    table = Table("date", "done", "failed", "missing", "trigger", "triggered at", "batch id")
    for d in dates:
        state, generation = st.load(store, date.fromisoformat(d))
        procs = state.processors
        done = state.done()
        failed = [f"{p} ({procs[p].status})" for p in state.expected if p in procs and procs[p].status != "success"]
        missing = [p for p in state.expected if p not in procs]
        trig = state.trigger
        label = trig.state + (" (degraded)" if trig.degraded and trig.state == "triggered" else "")
        table.add_row(d, f"{len(done)}/{len(state.expected)}", ", ".join(failed) or "-",
                      ", ".join(missing) or "-", label if generation else "no events",
                      trig.triggered_at.isoformat() if trig.triggered_at else "-", trig.batch_id or "-")
    console.print(table)
    console.print(f"{len(dates)} date(s) in {s.backend} orchestration state")


BatchState = Literal["running", "stalled", "failed", "finished", "creating"]


def batches_command(state: Optional[BatchState] = typer.Option(None, "--state", help="only batches in this state"),
                    start: Optional[str] = typer.Option(None, "--start", help="first game date"),
                    end: Optional[str] = typer.Option(None, "--end", help="last game date")) -> None:
    """List batches per game date: state, players reported of expected, subset, age, and the
    injury report and line snapshot each read (as-of, ET; "none": none was stored).
    Stalled means no player reported for 10 minutes or its finaliser is gone."""
    from coordinator.batches import STALL_AFTER, BatchStore
    from coordinator.recovery import overview

    d1, d2 = parse_range(start, end)
    s = settings()
    found = overview(BatchStore(bootstrap.build_store(s)), datetime.now(UTC), STALL_AFTER,
                     s.backend == "local", d1, d2)
    shown = [b for b in found if state is None or b["state"] == state]
    table = Table("game date", "batch id", "state", "reported", "subset", "age", "injury report", "lines")
    for b in shown:
        age = "-" if b["age_s"] is None else str(timedelta(seconds=int(b["age_s"])))
        used = b["inputs"]
        table.add_row(b["game_date"], b["batch_id"] or "-", b["state"], f"{b['reported']}/{b['expected']}",
                      "yes" if b["subset"] else "no", age, eastern(used.injury_report_as_of), eastern(used.lines_as_of))
    console.print(table)
    console.print(f"{len(shown)} batch(es)" + (f" {state}" if state else "") + f" of {len(found)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("orchestration-status")(status_command)
    app.command("batches")(batches_command)
