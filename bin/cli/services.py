"""`serve` (the services on loopback), `run` (the nightly chain end to end) and
`export-predictions`."""
from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import typer
from rich.table import Table

from bin.cli.common import (
    WORK_FAILED,
    console,
    fail,
    output_file,
    parse_date,
    parse_range,
    print_notices,
    progress_bar,
    read_only_warehouse,
    settings,
    warehouse,
)
from shared import tables

EXPORT_COLUMNS = ["game_date", "player_id", "player_name", "system", "prop", "predicted", "p10", "p50", "p90",
                  "model_name", "model_version", "model_source", "batch_id"]


def serve_command(port: int = typer.Option(8080, "--port", min=1, max=65532,
                                          help="coordinator port; worker +1, orchestrator +2, warehouse reader +3"),
                  stall_check_s: int = typer.Option(60, "--stall-check-seconds", min=1,
                                                    help="how often running batches are checked for stalls")) -> None:
    """Start orchestrator, coordinator and worker on 127.0.0.1 with the durable local bus.
    Stops cleanly on Ctrl-C or SIGTERM; read-only commands keep working while it runs."""
    from bin import stack as local
    from bin.warehouse_reader import advertise, withdraw
    from coordinator.service import check_stalled

    s = settings()
    names = ("coordinator", "worker", "orchestrator", "reader")
    try:
        st = local.start(s, ports={name: port + i for i, name in enumerate(names)})
    except ValueError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"--port {port}: ports {port}..{port + len(names) - 1} must be free on 127.0.0.1 ({exc.strerror})")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):   # a background serve has SIGINT ignored unless we ask for it
        signal.signal(sig, lambda *_: stop.set())
    _print_batches()
    advertise(s, st.urls["reader"])
    # the hint names where the token is, never the token itself: this output ends up in logs
    source = "$PIPELINE_AUTH_TOKEN" if s.auth_token else f"$(cat {s.home / 'auth_token'})"
    token_hint = f' -H "Authorization: Bearer {source}"' if st.token else ""
    for name, url in st.urls.items():
        console.print(f"{name:<13} {url}")
    console.print(f"\ncurl -X POST {st.urls['coordinator']}/start{token_hint} -H 'Content-Type: application/json' "
                  f"-d '{{\"game_date\":\"2024-01-15\"}}'", soft_wrap=True)
    console.print(f"curl '{st.urls['coordinator']}/status?game_date=2024-01-15'{token_hint}", soft_wrap=True)
    console.print("serving; Ctrl-C or SIGTERM stops", highlight=False)
    try:
        while not stop.wait(stall_check_s):
            check_stalled(st.coordinator)
    finally:
        withdraw(s)
        st.stop()
        console.print("services stopped")


def _print_batches() -> None:
    """One plain line per batch started and finished, from the coordinator's own log records."""
    class BatchLines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if getattr(record, "batch_event", None):
                console.print(f"{datetime.now():%H:%M:%S} {record.getMessage()}", highlight=False)

    service_log = logging.getLogger("coordinator.service")
    service_log.setLevel(logging.INFO)
    service_log.addHandler(BatchLines())


def run_command(day: str = typer.Option(..., "--date", help="game date YYYY-MM-DD"),
                force: bool = typer.Option(False, "--force", help="start a new batch even if the date has one"),
                timeout_s: int = typer.Option(600, "--timeout-seconds", min=1,
                                              help="give up waiting for the batch after this long")) -> None:
    """The autonomous nightly chain on one machine: processors -> orchestrator -> coordinator
    -> workers -> consolidated predictions."""
    from bin import stack as local
    from coordinator.requests import StartRequest
    from coordinator.service import start as start_batch
    from coordinator.service import status_for_date
    from processors.runner import nightly

    d = parse_date(day, "--date")
    s = settings()
    began = time.perf_counter()
    try:
        st = local.start(s)
    except ValueError as exc:
        fail(str(exc))
    try:
        _grade_previous_day(st.warehouse, d)
        already = status_for_date(st.coordinator, d)
        events = nightly(st.warehouse, st.bus, d)
        from modeling.drift import monitor

        monitor(st.warehouse, st.store, d)
        if not any(e.status == "success" for e in events):
            statuses = ", ".join(sorted({e.status for e in events}))
            fail(f"{d}: processors did not succeed ({statuses}: {events[0].error or ''}); no batch started",
                 WORK_FAILED)
        if force or (already and already["state"] == "finished"):
            if not force:
                console.print(f"{d} already has finished batch {already['batch_id']}; showing it (use --force "
                              f"for a new one)")
            else:
                start_batch(st.coordinator, StartRequest(game_date=d, force=True), d)
        result = _wait(st, d, timeout_s)
    finally:
        st.stop()
    _summary(result, d, time.perf_counter() - began)


def _grade_previous_day(wh, d: date) -> None:
    """The reference system graded every morning: yesterday first, when its box scores are in."""
    from datetime import timedelta

    from modeling.grading import grade

    result = grade(wh, d - timedelta(days=1), d - timedelta(days=1))
    if result.dates_graded:
        console.print(f"graded {d - timedelta(days=1)}: {result.rows:,} predictions")


def _wait(st, d: date, timeout_s: int) -> dict:
    from coordinator.service import status_for_date

    deadline = time.monotonic() + timeout_s
    with progress_bar(f"predicting {d}") as report:
        while time.monotonic() < deadline:
            found = status_for_date(st.coordinator, d)
            if found:
                report(found["completed"] + found["skipped"] + found["failed"], found["expected"])
                if found["state"] == "finished":
                    return found
            threading.Event().wait(0.1)
    fail(f"batch for {d} did not finish within {timeout_s}s: {status_for_date(st.coordinator, d)}", WORK_FAILED)


def _summary(result: dict, d: date, seconds: float) -> None:
    s = settings()
    wh = warehouse(s, read_only=True)
    rows = wh.query("SELECT system, COUNT(*) AS n, AVG(predicted) AS mean_pred, MIN(model_source) AS source "
                    f"FROM {tables.PREDICTIONS.fqn} WHERE batch_id = @b AND game_date = @d "
                    "AND shadow IS NOT TRUE GROUP BY system ORDER BY system", {"b": result["batch_id"], "d": d})
    table = Table("system", "predictions", "mean predicted points", "model source")
    for r in rows.itertuples():
        table.add_row(r.system, str(r.n), f"{r.mean_pred:.2f}", r.source)
    console.print(table)
    console.print("  every rostered player is predicted, bench players included, so the mean is low\n"
                  "  model source: 'registry' = a champion you trained, 'bundled' = the model shipped with the code, "
                  "'rule' = a formula", highlight=False)
    top = wh.query("SELECT player_name, team_abbr, opponent_abbr, predicted, p10, p90 "
                   f"FROM {tables.PREDICTIONS.fqn} WHERE batch_id = @b AND game_date = @d "
                   "AND system = 'ensemble' ORDER BY predicted DESC LIMIT 10", {"b": result["batch_id"], "d": d})
    if len(top):
        best = Table("player", "team", "opp", "points (ensemble)", "p10", "p90", title=f"top predictions {d}")
        for r in top.itertuples():
            best.add_row(r.player_name, r.team_abbr, r.opponent_abbr, f"{r.predicted:.1f}", f"{r.p10:.1f}",
                         f"{r.p90:.1f}")
        console.print(best)
        console.print("  p10/p90: the player should score below p10 one night in ten and above p90 one night in ten",
                      highlight=False)
    reasons = {}
    for reason in result["skip_reasons"].values():
        reasons[reason.split(" for player")[0]] = reasons.get(reason.split(" for player")[0], 0) + 1
    if reasons:
        console.print("skipped: " + "; ".join(f"{n} x {r}" for r, n in reasons.items()))
    console.print(f"{d}: batch {result['batch_id']} {result['state']}: {result['expected']} players, "
                  f"{result['completed']} predicted, {result['skipped']} skipped, {result['failed']} failed, "
                  f"{len(result['missing'])} missing, {int(rows['n'].sum()) if len(rows) else 0} rows in "
                  f"{seconds:.1f}s")
    print_notices()
    console.print(f"next: bin/pipeline export-predictions --start {d} --end {d} --out predictions.csv  (every row)\n"
                  "      bin/pipeline serve  (batches over HTTP: README, Manual batches)", highlight=False)


def export_command(start: str = typer.Option(..., "--start", help="first game date"),
                   end: str = typer.Option(..., "--end", help="last game date"),
                   out: Path = typer.Option(..., "--out", metavar="FILE", help="CSV file to write (replaced)")) -> None:
    """One row per (game_date, player, system, prop), fixed leading columns."""
    d1, d2 = parse_range(start, end)
    output_file(out)
    s = settings()
    frame = read_only_warehouse(s).read(tables.PREDICTIONS.fqn, d1, d2)
    frame = frame[~frame["shadow"].fillna(False).astype(bool)]   # challengers' shadow rows are not exported
    rest = [c for c in frame.columns if c not in EXPORT_COLUMNS]
    frame = frame[EXPORT_COLUMNS + rest].sort_values(["game_date", "player_id", "system", "prop"])
    frame["game_date"] = frame["game_date"].dt.date
    frame.to_csv(out, index=False)
    console.print(f"wrote {len(frame):,} predictions for {d1}..{d2} to {out}")


def openapi_command(service: Literal["coordinator", "worker", "orchestrator"] = typer.Argument(
        ..., metavar="SERVICE", help="coordinator, worker or orchestrator")) -> None:
    """Print a service's OpenAPI 3.1 description (coordinator and worker also serve it at /openapi.json)."""
    import importlib
    import json

    modules = {"coordinator": "coordinator.app", "worker": "worker.app", "orchestrator": "orchestrator.api"}
    print(json.dumps(importlib.import_module(modules[service]).SPEC, indent=2))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("openapi")(openapi_command)
    app.command("run")(run_command)
    app.command("export-predictions")(export_command)
