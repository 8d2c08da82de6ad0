"""`orchestration-status`: per game date, what the orchestrator has seen and done."""
from __future__ import annotations

from datetime import date
from typing import Optional

import typer
from rich.table import Table

from bin.cli.common import console, parse_date, settings
from orchestrator import state as st
from shared import bootstrap


def status_command(day: Optional[str] = typer.Option(None, "--date", help="one game date YYYY-MM-DD")) -> None:
    """Show expected, done, failed and missing processors, and the trigger, per date."""
    s = settings()
    store = bootstrap.build_store(s)
    dates = [parse_date(day, "--date").isoformat()] if day else st.list_dates(store)
    table = Table("date", "done", "failed", "missing", "trigger", "triggered at", "batch id")
    for d in dates:
        state, generation = st.load(store, date.fromisoformat(d))
        procs = state["processors"]
        done = [p for p in state["expected"] if procs.get(p, {}).get("status") == "success"]
        failed = [f"{p} ({procs[p]['status']})" for p in state["expected"]
                  if p in procs and procs[p]["status"] != "success"]
        missing = [p for p in state["expected"] if p not in procs]
        trig = state["trigger"]
        label = trig["state"] + (" (degraded)" if trig.get("degraded") and trig["state"] == "triggered" else "")
        table.add_row(d, f"{len(done)}/{len(state['expected'])}", ", ".join(failed) or "-",
                      ", ".join(missing) or "-", label if generation else "no events",
                      trig.get("triggered_at") or "-", trig.get("batch_id") or "-")
    console.print(table)
    console.print(f"{len(dates)} date(s) in {s.backend} orchestration state")


def register(app: typer.Typer) -> None:
    app.command("orchestration-status")(status_command)
