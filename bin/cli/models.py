"""`retrain` (rolling window, validation gate) and `promote` (move the champion or the
challenger pointer; rollback is the same command with an older version)."""
from __future__ import annotations

import getpass
from typing import Literal

import typer
from rich.table import Table

from bin.cli.common import Prop, console, fail, parse_date, progress_bar, settings, warehouse
from shared import bootstrap


def retrain_command(end: str = typer.Option("yesterday", "--end", metavar="DATE",
                                           help="last day of the validation window (YYYY-MM-DD, today, yesterday)"),
                    register_as: Literal["champion", "challenger"] = typer.Option(
                        "champion", "--register-as", help="the pointer a model that passes the gate moves"),
                    prop: Prop = typer.Option("points", "--prop", help="the prop whose models are retrained")) -> None:
    """Retrain every model on a rolling window ending --end; gate each against its champion."""
    from modeling.retrain import retrain, rolling_windows
    from shared.catalogue import ML_SYSTEMS

    d = parse_date(end, "--end")
    s = settings()
    wh, store, outcomes = warehouse(s), bootstrap.build_store(s), []
    try:
        with progress_bar(f"retrain {prop}: models") as report:
            report(0, len(ML_SYSTEMS))
            for i, system in enumerate(ML_SYSTEMS, 1):   # one at a time, so the bar moves between models
                outcomes += retrain(wh, store, d, register_as, prop, systems=(system,))
                report(i, len(ML_SYSTEMS))
    except ValueError as exc:
        fail(str(exc))
    w = rolling_windows(d)
    table = Table("model", "version", "valid MAE", "champion MAE", "role", "reason",
                  title=f"train {w.train_start}..{w.train_end}, validate {w.valid_start}..{w.valid_end}")
    for o in outcomes:
        r = o.result
        champ = "-" if r.champion_mae is None else f"{r.champion_mae:.3f}"
        table.add_row(r.name, f"v{r.version}", f"{r.metrics['valid']['mae']:.3f}", champ, o.role, r.reason)
    console.print(table)
    console.print(f"retrained {len(outcomes)} model(s): "
                  f"{sum(o.role != 'rejected' for o in outcomes)} registered as {register_as}")


def promote_command(name: str = typer.Argument(..., metavar="NAME", help="model name, e.g. points_xgboost"),
                    version: int = typer.Argument(..., metavar="VERSION", help="version to serve"),
                    reason: str = typer.Option(..., "--reason", help="why (kept in the registry log)"),
                    challenger: bool = typer.Option(False, "--challenger", help="move the challenger pointer")):
    """Make VERSION the champion (or the challenger). Rolling back is promoting an older version."""
    from shared.models.registry import Registry
    from shared.ports import PreconditionFailed

    s = settings()
    which = "challenger" if challenger else "latest"
    try:
        entry = Registry(bootstrap.build_store(s)).promote(name, version, reason, getpass.getuser(), challenger)
    except ValueError as exc:
        fail(str(exc))
    except PreconditionFailed:
        fail(f"{name}: the {which} pointer moved while promoting; run the command again")
    was = f"v{entry['previous_version']}" if entry["previous_version"] else "unset"
    console.print(f"{name}: {which} is now v{version} (was {was}); logged by {entry['by']}")


def monitor_command(day: str = typer.Option("today", "--date", metavar="DATE",
                                           help="game date whose features are measured (YYYY-MM-DD, today)")) -> None:
    """Feature drift (PSI against the champion's training window) and accuracy alerts for a date."""
    from modeling.drift import KEY_FEATURES, PSI_ALERT, monitor

    d = parse_date(day, "--date")
    s = settings()
    wh = warehouse(s)
    wh.ensure_tables()
    result = monitor(wh, bootstrap.build_store(s), d)
    if not result.psi:
        console.print(f"{d}: no feature-store rows or no drift reference; nothing measured")
        return
    table = Table("feature", "PSI", "key", title=f"feature drift {d} (alert above {PSI_ALERT})")
    for f, v in sorted(result.psi.items(), key=lambda kv: -kv[1])[:12]:
        table.add_row(f, f"{v:.3f}", "yes" if f in KEY_FEATURES else "")
    console.print(table)
    console.print(f"{d}: {len(result.psi)} features measured; drift alerts: {', '.join(result.drift_alerts) or 'none'};"
                  f" accuracy alerts: {', '.join(result.accuracy_alerts) or 'none'}")


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor_command)
    app.command("retrain")(retrain_command)
    app.command("promote")(promote_command)
