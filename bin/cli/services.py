"""`serve` (the services on loopback, running the nightly loop), `export-predictions` and `openapi`."""
from __future__ import annotations

import logging
import signal
import threading
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
from shared import tables


def serve_command(port: int = typer.Option(8080, "--port", min=1, max=65531,
                                          help="coordinator port; worker +1, orchestrator +2, warehouse reader +3, "
                                               "console +4"),
                  stall_check_s: int = typer.Option(60, "--stall-check-seconds", min=1,
                                                    help="how often running batches are checked for stalls")) -> None:
    """Start orchestrator, coordinator, worker and the console on 127.0.0.1 with the durable local bus.
    Stops cleanly on Ctrl-C or SIGTERM; read-only commands keep working while it runs."""
    from bin import stack as local
    from bin.nightly import Nightly
    from bin.warehouse_reader import advertise, withdraw
    from coordinator.recovery import check_stalled

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
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):   # a background serve has SIGINT ignored unless we ask for it
        signal.signal(sig, lambda *_: stop.set())
    _print_batches()
    advertise(s, st.urls["reader"])
    loop = Nightly(s, st.warehouse, st.bus, lambda days: st.orchestrator.orchestrator.check_deadlines(
        days, st.orchestrator.has_games))
    # the hint names where the token is, never the token itself: this output ends up in logs
    source = "$PIPELINE_AUTH_TOKEN" if s.auth_token else f"$(cat {s.home / 'auth_token'})"
    token_hint = f' -H "Authorization: Bearer {source}"' if st.token else ""
    for name, url in st.urls.items():
        console.print(f"{name:<13} {url}" + ("/" if name == "console" else ""), highlight=False)
    console.print(f"\ncurl -X POST {st.urls['coordinator']}/start{token_hint} -H 'Content-Type: application/json' "
                  f"-d '{{\"game_date\":\"2024-01-15\"}}'", soft_wrap=True)
    console.print(f"curl '{st.urls['coordinator']}/status?game_date=2024-01-15'{token_hint}", soft_wrap=True)
    console.print(f"serving; nightly loop (ET): grade yesterday at {s.grade_at}, processors at {s.process_at}, "
                  f"deadline check at {s.deadline_at}; Ctrl-C or SIGTERM stops", highlight=False)
    try:
        while not stop.wait(stall_check_s):
            check_stalled(st.coordinator)
            loop.tick()
    finally:
        withdraw(s)
        st.stop()
        console.print("services stopped")


def _print_batches() -> None:
    """One plain line per batch started and finished and per step of the nightly loop, from
    the coordinator's and the loop's own log records."""
    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if getattr(record, "batch_event", None) or getattr(record, "nightly", None):
                console.print(f"{datetime.now():%H:%M:%S} {record.getMessage()}", highlight=False)

    for name in ("coordinator.service", "coordinator.recovery", "bin.nightly"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(Lines())


def export_command(start: str = typer.Option(..., "--start", help="first game date"),
                   end: str = typer.Option(..., "--end", help="last game date"),
                   out: Path = typer.Option(..., "--out", metavar="FILE", help="CSV file to write (replaced)")) -> None:
    """One row per (game_date, player, system, prop), fixed leading columns."""
    d1, d2 = parse_range(start, end)
    output_file(out)
    s = settings()
    frame = read_only_warehouse(s).read(tables.PREDICTIONS.fqn, d1, d2)
    frame = tables.exported(frame).sort_values(["game_date", "player_id", "system", "prop"])
    frame["game_date"] = frame["game_date"].dt.date
    frame.to_csv(out, index=False)
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
