"""`serve` (the services on loopback, running the nightly loop), `export-predictions` and `openapi`."""
from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Literal

import typer

from bin.cli.common import (
    console,
    fail,
    output_file,
    parse_range,
    read_only_warehouse,
    settings,
)
from shared import spreadsheet, tables, versions


def serve_command(port: int = typer.Option(8080, "--port", min=1, max=65531,
                                          help="coordinator port; worker +1, orchestrator +2, warehouse reader +3, "
                                               "console +4"),
                  stall_check_s: int = typer.Option(60, "--stall-check-seconds", min=1,
                                                    help="how often running batches are checked for stalls"),
                  finish_s: int = typer.Option(60, "--finish-seconds", min=0, metavar="SECONDS",
                                               help="on Ctrl-C or SIGTERM, how long a running batch may take to "
                                                    "finish before serve stops and leaves it to the next start"),
                  no_timetable: bool = typer.Option(False, "--no-timetable",
                                                    help="serve only: leave out the night's timetable (fetching the "
                                                         "feeds, grading, processing when ready, monitoring, the "
                                                         "weekly retrain), for a night run by `daily` from cron or "
                                                         "by hand")
                  ) -> None:
    """Start orchestrator, coordinator, worker and the console on 127.0.0.1 with the durable local bus.
    Stops cleanly on Ctrl-C or SIGTERM, letting a running batch finish first (a second Ctrl-C stops
    at once; the next serve resumes what is left); read-only commands keep working while it runs."""
    from bin import stack as local
    from bin.nightly import Nightly
    from bin.warehouse_reader import advertise, withdraw
    from coordinator.recovery import check_stalled
    from coordinator.refresh import refresh

    s = settings()
    last = port + len(local.SERVICES) - 1
    try:
        st = local.start(s, ports={name: port + i for i, name in enumerate(local.SERVICES)})
    except ValueError as exc:
        fail(str(exc))
    except local.PortInUse as exc:
        fail(f"--port {port}: port {exc.port} ({exc.name}) is in use; serve needs {port}..{last} free on 127.0.0.1 "
             f"({', '.join(local.SERVICES)}): choose another --port")
    except OSError as exc:
        fail(f"--port {port}: ports {port}..{last} must be free on 127.0.0.1 ({exc.strerror})")
    stop, now = threading.Event(), threading.Event()   # the first signal stops, a second one hurries
    for sig in (signal.SIGINT, signal.SIGTERM):   # a background serve has SIGINT ignored unless we ask for it
        signal.signal(sig, lambda *_: (now if stop.is_set() else stop).set())
    _print_batches()
    advertise(s, st.urls["reader"])
    orchestrator = st.orchestrator
    assert orchestrator is not None   # start() serves every service; only the inline chain has none
    loop = Nightly(s, st.warehouse, st.store, st.bus, lambda days: orchestrator.orchestrator.check_deadlines(
        days, orchestrator.has_games), refresh=lambda day, at: refresh(st.coordinator, day, at)) \
        if not no_timetable else None
    # the hint names where the token is, never the token itself: this output ends up in logs
    source = "$PIPELINE_AUTH_TOKEN" if s.auth_token else f"$(cat {s.home / 'auth_token'})"
    token_hint = f' -H "Authorization: Bearer {source}"' if st.token else ""
    for name, url in st.urls.items():
        console.print(f"{name:<13} {url}" + ("/" if name == "console" else ""), highlight=False)
    console.print(f"\ncurl -X POST {st.urls['coordinator']}/start{token_hint} -H 'Content-Type: application/json' "
                  f"-d '{{\"game_date\":\"2024-01-15\"}}'", soft_wrap=True)
    console.print(f"curl '{st.urls['coordinator']}/status?game_date=2024-01-15'{token_hint}", soft_wrap=True)
    night = ("the night's timetable (ET): feeds fetched, yesterday graded, the processors once their inputs are "
             "in, the deadline check, monitoring, the weekly retrain (README, Daily workflow)" if loop else
             "no timetable (--no-timetable)")
    console.print(f"serving; {night}; Ctrl-C or SIGTERM stops (a running batch may finish first)",
                  highlight=False, soft_wrap=True)
    left: list[str] = []
    next_check = time.monotonic() + stall_check_s
    try:
        # short waits: a signal that lands on another thread runs its handler only once the main
        # thread runs Python again, so one long wait could delay a stop by the whole interval
        while not stop.wait(0.5):
            if time.monotonic() >= next_check:
                check_stalled(st.coordinator)
                if loop is not None:
                    loop.tick()
                next_check = time.monotonic() + stall_check_s
        left = _let_batches_finish(st, finish_s, now)
    finally:
        withdraw(s)
        st.stop()
        _say_left_running(st, left)
        console.print("services stopped")


def _running(st) -> list[dict]:
    batches, found = st.coordinator.batches, []
    for batch_id in batches.running():
        batch = batches.batch(batch_id)
        if batch is not None and batch[0].state == "running":
            doc = batch[0]
            found.append({"batch_id": batch_id, "game_date": doc.game_date.isoformat(), "expected": doc.expected,
                          "reported": len(batches.done_players(batch_id))})
    return found


def _let_batches_finish(st, finish_s: int, now: threading.Event) -> list[str]:
    """Let the batches this process is delivering finish, for up to ``finish_s`` (or until a
    second signal); returns the ids of those still running."""
    left = _running(st)
    if left and st.bus.pending() and finish_s:
        names = ", ".join(f"{b['batch_id']} for {b['game_date']} ({b['reported']} of {b['expected']} players)"
                          for b in left)
        console.print(f"stopping: letting batch {names} finish, up to {finish_s}s (Ctrl-C again stops now)",
                      highlight=False, soft_wrap=True)
        deadline = time.monotonic() + finish_s
        while left and st.bus.pending() and time.monotonic() < deadline and not now.wait(0.2):
            left = _running(st)
    return [b["batch_id"] for b in left]


def _say_left_running(st, batch_ids: list[str]) -> None:
    """Name each batch left running, once the bus has stopped (so the counts are final), and
    what resumes it: the bus keeps its undelivered messages and the next serve delivers them
    (leases this process held are reclaimed when it starts)."""
    for b in (b for b in _running(st) if b["batch_id"] in batch_ids):
        console.print(f"stopping: batch {b['batch_id']} for {b['game_date']} left running ({b['reported']} of "
                      f"{b['expected']} players reported): the next `bin/pipeline serve` resumes it, or "
                      f"`bin/pipeline predict-range --start {b['game_date']} --end {b['game_date']}` finishes it "
                      "now", highlight=False, soft_wrap=True)


def _print_batches() -> None:
    """One plain line per batch started and finished and per step of the nightly loop, from
    the coordinator's and the loop's own log records."""
    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            # warnings and errors already print through the CLI's own handler
            if record.levelno < logging.WARNING and (getattr(record, "batch_event", None)
                                                     or getattr(record, "nightly", None)):
                console.print(f"{datetime.now():%H:%M:%S} {record.getMessage()}", highlight=False)

    for name in ("coordinator.service", "coordinator.recovery", "bin.nightly"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(Lines())


def export_command(start: str = typer.Option(..., "--start", help="first game date"),
                   end: str = typer.Option(..., "--end", help="last game date"),
                   out: Path = typer.Option(..., "--out", metavar="FILE", help="CSV file to write (replaced)"),
                   all_versions: bool = typer.Option(False, "--all-versions", help=(
                       "every version of every prediction, with version_state (latest, superseded, withdrawn) "
                       "and the reason"))) -> None:
    """One row per (game_date, player, system, prop): the latest version, players withdrawn by
    news left out; fixed leading columns. Text that a spreadsheet would run as a formula (a
    name starting with =, +, - or @) is written with a leading single quote."""
    d1, d2 = parse_range(start, end)
    output_file(out)
    s = settings()
    frame = tables.exported(read_only_warehouse(s).read(tables.PREDICTIONS.fqn, d1, d2))
    frame = versions.every_version(frame) if all_versions else versions.latest(frame)
    frame = frame.sort_values(["game_date", "player_id", "system", "prop", "prediction_version"])
    frame["game_date"] = frame["game_date"].dt.date
    spreadsheet.text_cells(frame).to_csv(out, index=False)
    console.print(f"wrote {len(frame):,} predictions for {d1}..{d2} to {out}")


def openapi_command(service: Literal["coordinator", "worker", "orchestrator", "console"] = typer.Argument(
        ..., metavar="SERVICE", help="coordinator, worker, orchestrator or console")) -> None:
    """Print a service's OpenAPI 3.1 description (coordinator, worker and console also serve it at /openapi.json)."""
    import importlib
    import json

    modules = {"coordinator": "coordinator.app", "worker": "worker.app", "orchestrator": "orchestrator.api",
               "console": "console.app"}
    print(json.dumps(importlib.import_module(modules[service]).SPEC, indent=2))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("openapi")(openapi_command)
    app.command("export-predictions")(export_command)
