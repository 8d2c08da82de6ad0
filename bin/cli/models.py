"""`retrain` (rolling window, validation gate) and `promote` (move the champion or the
challenger pointer; rollback is the same command with an older version)."""
from __future__ import annotations

import getpass
from typing import Literal, Optional

import typer
from rich.table import Table

from bin.cli.common import Prop, console, fail, parse_date, progress_bar, refusal, settings, warehouse
from shared import bootstrap


def retrain_command(end: str = typer.Option("latest", "--end", metavar="DATE", help=(
                        "last day of the validation window: YYYY-MM-DD, today, yesterday, or latest (the last "
                        "game date the feature store has results for)")),
                    register_as: Literal["champion", "challenger"] = typer.Option(
                        "champion", "--register-as", help="the pointer a model that passes the gate moves"),
                    prop: Optional[Prop] = typer.Option(None, "--prop",
                                                        help="retrain only this prop's models (default: every prop)")):
    """Retrain every model (xgboost and catboost of every prop) on a rolling window ending --end,
    gate each against what is served, and refit the ensemble weights of a prop whose champion moved."""
    from modeling.retrain import VALID_DAYS, retrain, rolling_windows
    from modeling.windows import EmptyWindow, last_date_with_results
    from shared.catalogue import ML_SYSTEMS, PROP_NAMES

    s = settings()
    wh = warehouse(s)
    wh.ensure_tables()
    try:
        d = last_date_with_results(wh) if end == "latest" else parse_date(end, "--end")
    except EmptyWindow as exc:
        fail(f"--end latest: {exc}")
    props = (prop,) if prop else PROP_NAMES
    w = rolling_windows(d)
    try:
        with progress_bar(f"retraining {len(props) * len(ML_SYSTEMS)} models") as report:
            done = retrain(wh, bootstrap.build_store(s), d, register_as, props, progress=report)
    except EmptyWindow as exc:
        fail(f"{exc}; choose --end inside it (the validation window is the {VALID_DAYS} days ending --end)")
    except ValueError as exc:
        fail(refusal(exc))
    table = Table("model", "version", "valid MAE", "served MAE", "role", "reason",
                  title=f"{w.describe()} (validation: the {VALID_DAYS} days ending {d})")
    for o in done.outcomes:
        r = o.result
        served = "-" if r.champion_mae is None else f"{r.champion_mae:.3f}"
        table.add_row(r.name, f"v{r.version}", f"{r.metrics['valid']['mae']:.3f}", served, o.role, r.reason)
    console.print(table)
    console.print(f"retrained {len(done.outcomes)} model(s) of {len(props)} prop(s): "
                  f"{sum(o.role != 'rejected' for o in done.outcomes)} registered as {register_as}", highlight=False)
    for p, doc in done.ensembles.items():
        console.print(f"{p}_ensemble weights refitted for the new champion(s): "
                      + ", ".join(f"{n} {weight:.2f}" for n, weight in doc.weights.items()), highlight=False)


def promote_command(name: str = typer.Argument(..., metavar="NAME", help="model name, e.g. points_xgboost"),
                    version: str = typer.Argument(..., metavar="VERSION", help="version to serve: v3 or 3"),
                    reason: str = typer.Option(..., "--reason", help="why (kept in the registry log)"),
                    challenger: bool = typer.Option(False, "--challenger", help="move the challenger pointer")):
    """Make VERSION the champion (or the challenger). Rolling back is promoting an older version."""
    from shared.models.registry import Registry, parse_version
    from shared.ports import PreconditionFailed

    try:
        number = parse_version(version)
    except ValueError as exc:
        fail(refusal(exc))
    s = settings()
    which = "challenger" if challenger else "latest"
    try:
        entry = Registry(bootstrap.build_store(s)).promote(name, number, reason, getpass.getuser(), challenger)
    except ValueError as exc:
        fail(refusal(exc))
    except PreconditionFailed:
        fail(f"{name}: the {which} pointer moved while promoting; run the command again")
    was = f"v{entry['previous_version']}" if entry["previous_version"] else "unset"
    console.print(f"{name}: {which} is now v{number} (was {was}); logged by {entry['by']}")


def monitor_command(day: str = typer.Option("today", "--date", metavar="DATE",
                                           help="game date whose features are measured (YYYY-MM-DD, today)")) -> None:
    """Feature drift (PSI against the champion's training window) and accuracy alerts for a date.
    Only the key (player-level) features alert; the others are shown for context."""
    from modeling.drift import monitor
    from shared.catalogue import DRIFT_KEY_FEATURES, PSI_ALERT

    d = parse_date(day, "--date")
    s = settings()
    wh = warehouse(s)
    wh.ensure_tables()
    result = monitor(wh, bootstrap.build_store(s), d)
    if not result.psi:
        console.print(f"{d}: no feature-store rows or no drift reference; nothing measured")
        return
    key = [f for f in DRIFT_KEY_FEATURES if f in result.psi]
    others = sorted((f for f in result.psi if f not in DRIFT_KEY_FEATURES), key=lambda f: -result.psi[f])
    table = Table("feature", "PSI", f"alert (key, above {PSI_ALERT})", title=f"feature drift {d}")
    for f in key:
        table.add_row(f, f"{result.psi[f]:.3f}", "ALERT" if f in result.drift_alerts else "key: calm")
    for f in others[:8]:
        table.add_row(f, f"{result.psi[f]:.3f}", "not alerted", style="dim")
    console.print(table)
    console.print(f"{d}: {len(result.psi)} features measured; drift alerts (key features above {PSI_ALERT}): "
                  f"{', '.join(result.drift_alerts) or 'none'}; accuracy alerts: "
                  f"{', '.join(result.accuracy_alerts) or 'none'}", highlight=False)
    if others and result.psi[others[0]] > PSI_ALERT:
        console.print(f"  the other {len(others)} features are measured, not alerted: one day holds only a few "
                      f"values of the date- and team-level ones, which inflates their one-day PSI (highest: "
                      f"{others[0]} {result.psi[others[0]]:.2f}); `predictions.feature_drift` keeps them all",
                      highlight=False)


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor_command)
    app.command("retrain")(retrain_command)
    app.command("promote")(promote_command)
