"""`train`: fit a model on the feature store, register it behind the validation gate."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from bin.cli.common import Prop, TrainedSystem, console, fail, parse_date, progress_bar, settings, warehouse
from shared import bootstrap
from shared.catalogue import ML_SYSTEMS, PROP_NAMES
from shared.models import BUNDLED as BUNDLE_DIR


def train_command(
    system: Optional[TrainedSystem] = typer.Option(None, "--system", help="the model to fit; ensemble fits the blend "
                                                   "weights of the registered xgboost and catboost models"),
    every: bool = typer.Option(False, "--all", help="every system of every prop, ensembles last (ignores --prop)"),
    prop: Prop = typer.Option("points", "--prop", help="the stat the model predicts"),
    train_start: str = typer.Option("2015-10-01", "--train-start", help="first game date of the training window"),
    train_end: str = typer.Option("2022-06-30", "--train-end", help="last game date of the training window"),
    valid_start: str = typer.Option("2022-10-01", "--valid-start",
                                    help="first game date of the validation window (early stopping, the gate)"),
    valid_end: str = typer.Option("2023-06-30", "--valid-end", help="last game date of the validation window"),
    force: bool = typer.Option(False, "--force", help="become champion even without beating it (logged)"),
    bundle: bool = typer.Option(False, "--bundle", help=f"also write the model as the worker's bundled fallback "
                                                         f"({BUNDLE_DIR.relative_to(BUNDLE_DIR.parents[1])}) "
                                                         f"when it becomes champion"),
    bundle_dir: Optional[Path] = typer.Option(None, "--bundle-dir", help="write the bundled copy to this folder "
                                                                          "instead (implies --bundle)"),
) -> None:
    """Train on a chronological split, report metrics against the naive baselines, register."""
    if every == (system is not None):
        fail("give --system NAME, or --all")
    jobs = [(p, s) for p in PROP_NAMES for s in (*ML_SYSTEMS, "ensemble")] if every else [(prop, system)]
    for i, (job_prop, job_system) in enumerate(jobs, 1):
        step = f" ({i}/{len(jobs)})" if len(jobs) > 1 else ""
        if job_system == "ensemble":
            _ensemble(job_prop, train_start, train_end, valid_start, valid_end, bundle, bundle_dir, step)
        else:
            _model(job_system, job_prop, train_start, train_end, valid_start, valid_end, force, bundle, bundle_dir,
                   step)


def _model(system, prop, train_start, train_end, valid_start, valid_end, force, bundle, bundle_dir,
           step: str = "") -> None:
    from modeling.train import Windows, train

    windows = Windows(parse_date(train_start, "--train-start"), parse_date(train_end, "--train-end"),
                      parse_date(valid_start, "--valid-start"), parse_date(valid_end, "--valid-end"))
    s = settings()
    wh = warehouse(s)
    store = bootstrap.build_store(s)
    target = bundle_dir or (BUNDLE_DIR if bundle else None)
    try:
        with progress_bar(f"training {prop} {system}{step}: boosting rounds") as report:
            result = train(wh, store, system, prop, windows, force=force, bundle_dir=target, progress=report)
    except ValueError as exc:
        fail(str(exc))
    m = result.metrics
    table = Table("predictor (validation rows)", "MAE", "RMSE", "bias", "within 3", "within 5")
    rows = [(f"{result.name} v{result.version}", m["valid"])] + [(f"baseline: {k}", v) for k, v in
                                                                   m["baselines"].items()]
    for label, v in rows:
        table.add_row(label, f"{v['mae']:.3f}", f"{v['rmse']:.3f}", f"{v['bias']:+.3f}", f"{v['within_3']:.1%}",
                      f"{v['within_5']:.1%}")
    console.print(table)
    console.print(f"p10-p90 coverage on validation: {m['valid']['interval_coverage']:.1%}; "
                  f"rows train {m['rows']['train']:,}, valid {m['rows']['valid']:,}; best iteration "
                  f"{m['best_iteration']}")
    bundled = (f"; bundled to {result.bundled_to}" if result.bundled_to
               else "; not bundled (only a champion is)" if target is not None else "")
    console.print(f"{result.name} v{result.version} {'PROMOTED' if result.promoted else 'not promoted'}: "
                  f"{result.reason}{bundled}")


def _ensemble(prop, train_start, train_end, valid_start, valid_end, bundle, bundle_dir, step: str = "") -> None:
    from modeling.ensemble import fit
    from modeling.train import Windows

    windows = Windows(parse_date(train_start, "--train-start"), parse_date(train_end, "--train-end"),
                      parse_date(valid_start, "--valid-start"), parse_date(valid_end, "--valid-end"))
    s = settings()
    try:
        with progress_bar(f"fitting {prop} ensemble{step}: weights") as report:
            report(0, 1)
            doc = fit(warehouse(s), bootstrap.build_store(s), prop, windows,
                      bundle_dir=bundle_dir or (BUNDLE_DIR if bundle else None))
            report(1, 1)
    except ValueError as exc:
        fail(str(exc))
    table = Table("member", "weight", "validation MAE")
    for name, w in doc["weights"].items():
        table.add_row(name, f"{w:.2f}", f"{doc['members_valid_mae'][name]:.3f}")
    console.print(table)
    console.print(f"{prop}_ensemble {doc['version']}: validation MAE {doc['valid_mae']:.3f} on {doc['rows']:,} rows")


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
